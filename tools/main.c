/* SPDX-License-Identifier: MIT */
/* main.c: placeholder entry point until the pipeline lands. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("semiscope %s\n", SEMISCOPE_VERSION);
        return 0;
    }
    fprintf(stderr, "semiscope: not yet\n");
    return 2;
}
