/* Checking the HTTP adapter's options. */
#ifndef ORDERS_HTTP_OPTIONS_H
#define ORDERS_HTTP_OPTIONS_H

#include "internal.h"

/* ORD_OK, or ORD_EINVALID with a one-line reason naming the setting. */
ord_error ord_http_options_check(const ord_http_options *options, char *err, size_t cap);

#endif
