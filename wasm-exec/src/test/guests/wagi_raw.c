/* WAGI mirror: copies stdin to stdout byte for byte, so a test controls the CGI output exactly.
 * With argv[1] "exit=<n>" it then exits with status n. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) fwrite(buf, 1, n, stdout);
    fflush(stdout);
    if (argc > 1 && strncmp(argv[1], "exit=", 5) == 0) return atoi(argv[1] + 5);
    return 0;
}
