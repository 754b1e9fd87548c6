/* WAGI probe: answers text/plain with its argv, environment and stdin, one item per line. */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("Content-Type: text/plain\n\n");
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    for (char **e = environ; *e; e++) printf("env:%s\n", *e);
    printf("stdin=");
    int c;
    while ((c = getchar()) != EOF) putchar(c);
    return 0;
}
