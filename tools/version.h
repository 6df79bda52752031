/* SPDX-License-Identifier: MIT */
/* version.h: `semiscope --version` — our version and the libraries' (tools/ only). */
#ifndef SEMISCOPE_VERSION_H
#define SEMISCOPE_VERSION_H

#include <stdio.h>

/* "semiscope X.Y.Z" then one line per library: the version running (the library's own call where
 * it has one), the one built against where it has none. */
void version_print(FILE *out);

#endif
