# Turns a text file into a C source defining ord_rest_openapi_text and its
# length (cmake -DINPUT=... -DOUTPUT=... -P embed.cmake).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR byte_count "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT}
"/* Generated from openapi/openapi.json by cmake/embed.cmake; do not edit. */
#include <stddef.h>
extern const char ord_rest_openapi_text[];
extern const size_t ord_rest_openapi_length;
const char ord_rest_openapi_text[] = {
${bytes}0x00};
const size_t ord_rest_openapi_length = ${byte_count};
")
