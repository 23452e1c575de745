/* A library that breaks the prefix rule on purpose, so that a test shows
 * the symbol check fails on it. Never installed, never linked. */
int ord_probe_with_prefix(void);
int probe_without_prefix(void);

int ord_probe_with_prefix(void)
{
    return 1;
}

int probe_without_prefix(void)
{
    return 2;
}
