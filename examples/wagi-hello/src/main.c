/*
 * A WAGI program: an ordinary WASI command that writes CGI headers, a blank line and the body to stdout.
 * It greets, then echoes what the CGI environment told it about the request and the request body (stdin).
 *
 *   curl 'localhost:3000/hello/some/path?name=edge&lang=c' -d 'posted body'
 *
 * ?status=404 shows how a WAGI program sets the status with a "Status:" header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name) {
    const char *value = getenv(name);
    return value ? value : "";
}

int main(int argc, char **argv) {
    if (strstr(env("QUERY_STRING"), "status=404") != NULL) {
        printf("Status: 404 Not Found\n");
    }
    printf("Content-Type: text/plain; charset=utf-8\n");
    printf("X-Wagi-Example: wagi-hello\n");
    printf("\n");

    printf("%s!\n\n", env("GREETING"));
    printf("REQUEST_METHOD=%s\n", env("REQUEST_METHOD"));
    printf("SCRIPT_NAME=%s\n", env("SCRIPT_NAME"));
    printf("PATH_INFO=%s\n", env("PATH_INFO"));
    printf("QUERY_STRING=%s\n", env("QUERY_STRING"));
    printf("X_FULL_URL=%s\n", env("X_FULL_URL"));
    printf("HTTP_USER_AGENT=%s\n", env("HTTP_USER_AGENT"));
    for (int i = 0; i < argc; i++) {
        printf("argv[%d]=%s\n", i, argv[i]);
    }

    long length = atol(env("CONTENT_LENGTH"));
    printf("body (%ld bytes): ", length);
    char buf[1024];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        fwrite(buf, 1, n, stdout);
    }
    printf("\n");
    return 0;
}
