/* SPDX-License-Identifier: MIT */
/* version.c: `semiscope --version`. A bug report needs the libraries actually loaded, which may
 * differ from the headers built against: each line says which of the two it is. */
#include "version.h"

#include <jansson.h>
#include <libdeflate.h>
#include <mysql.h>
#include <pcap/pcap.h>
#include <zlib.h>
#include <zstd.h>

void version_print(FILE *out)
{
    fprintf(out, "semiscope %s\n", SEMISCOPE_VERSION);
    /* pcap_lib_version(): "libpcap version 1.10.3 (with TPACKET_V3)" */
    fprintf(out, "  %s\n", pcap_lib_version());
    fprintf(out, "  libmariadb %s (running; built with %s)\n", mysql_get_client_info(),
            MARIADB_PACKAGE_VERSION);
    fprintf(out, "  zlib %s (running; built with %s)\n", zlibVersion(), ZLIB_VERSION);
    fprintf(out, "  libzstd %s (running; built with %s)\n", ZSTD_versionString(),
            ZSTD_VERSION_STRING);
    fprintf(out, "  libdeflate %s (built with; it has no version call)\n",
            LIBDEFLATE_VERSION_STRING);
    fprintf(out, "  jansson %s (running; built with %s)\n", jansson_version_str(), JANSSON_VERSION);
}
