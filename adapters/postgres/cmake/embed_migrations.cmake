# Turns migrations/NNNN_name.sql into a C source holding each file as a byte
# array (no string-literal length limit, no xxd). Versions must run 1, 2, 3...
# without gaps, so that a missing file is a build error, not a silent skip.
# Run as: cmake -DMIGRATIONS_DIR=... -DOUTPUT=... -P embed_migrations.cmake
file(GLOB files RELATIVE ${MIGRATIONS_DIR} ${MIGRATIONS_DIR}/*.sql)
list(SORT files)
list(LENGTH files count)
if(count EQUAL 0)
    message(FATAL_ERROR "no migrations in ${MIGRATIONS_DIR}")
endif()

set(arrays "")
set(table "")
set(expected 1)
foreach(file IN LISTS files)
    if(NOT file MATCHES "^([0-9][0-9][0-9][0-9])_([a-z0-9_]+)\\.sql$")
        message(FATAL_ERROR "migration file name '${file}' is not NNNN_name.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1} + 0")
    if(NOT version EQUAL expected)
        message(FATAL_ERROR "migration '${file}' should have version ${expected}")
    endif()
    string(REGEX REPLACE "\\.sql$" "" name "${file}")
    file(READ ${MIGRATIONS_DIR}/${file} hex HEX)
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
    string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n    "
           bytes "${bytes}")
    string(APPEND arrays "static const char migration_${version}[] = {\n    ${bytes}0x00};\n\n")
    string(APPEND table "    {${version}, \"${name}\", migration_${version}, sizeof migration_${version} - 1},\n")
    math(EXPR expected "${expected} + 1")
endforeach()

set(content "/* Generated from adapters/postgres/migrations by embed_migrations.cmake; do not edit. */
#include \"pg_migrations.h\"

${arrays}const ord_pg_migration ord_pg_migrations[] = {
${table}};

const size_t ord_pg_migration_count = sizeof ord_pg_migrations / sizeof ord_pg_migrations[0];
")
file(WRITE ${OUTPUT} "${content}")
