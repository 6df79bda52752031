/* SPDX-License-Identifier: MIT */
/* anomaly_names.c: the stable report names of the anomaly counters (anomaly.h). */
#include "semiscope/anomaly.h"

static const char *const names[SS_AN_COUNT] = {
#define SS_ANOMALY_NAME(id, name) [SS_AN_##id] = name,
    SS_ANOMALY_LIST(SS_ANOMALY_NAME)
#undef SS_ANOMALY_NAME
};

const char *ss_anomaly_name(enum ss_anomaly id)
{
    return (unsigned)id < SS_AN_COUNT ? names[id] : "unknown";
}
