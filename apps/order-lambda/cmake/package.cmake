# Packs order-lambda.zip (cmake -P): bootstrap at the root and, under lib/,
# every shared library it loads except glibc's, which the Lambda runtime
# provides (Amazon Linux 2023: glibc 2.34). The bundle does not count on any
# other library of the runtime's image: bootstrap's RPATH ($ORIGIN/lib, set
# at link time) finds the bundled ones first, so they are the ones tested.
#
#   -DBOOTSTRAP=path -DSTAGE=dir -DOUTPUT=order-lambda.zip [-DSTRIP=strip]

foreach(var BOOTSTRAP STAGE OUTPUT)
    if(NOT DEFINED ${var})
        message(FATAL_ERROR "package.cmake: -D${var}=... is required")
    endif()
endforeach()

# glibc's own libraries and the loader: never bundled (a copy would not
# match the runtime's kernel interface and loader).
set(glibc_sonames
    "^ld-linux.*\\.so"
    "^linux-vdso\\.so"
    "^lib(c|m|mvec|pthread|dl|rt|resolv|util|anl|nsl|BrokenLocale|thread_db|crypt1)\\.so")

file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${BOOTSTRAP}
    RESOLVED_DEPENDENCIES_VAR libraries
    UNRESOLVED_DEPENDENCIES_VAR missing
    PRE_EXCLUDE_REGEXES ${glibc_sonames}
    POST_EXCLUDE_REGEXES "/ld-linux[^/]*$")
if(missing)
    message(FATAL_ERROR "package.cmake: libraries not found: ${missing}")
endif()

file(REMOVE_RECURSE ${STAGE})
file(MAKE_DIRECTORY ${STAGE}/lib)
file(COPY_FILE ${BOOTSTRAP} ${STAGE}/bootstrap)
if(STRIP)
    # Debugging information is for the build machine, not the function.
    execute_process(COMMAND ${STRIP} --strip-debug ${STAGE}/bootstrap
                    RESULT_VARIABLE stripped)
    if(NOT stripped EQUAL 0)
        message(FATAL_ERROR "package.cmake: ${STRIP} failed")
    endif()
endif()
file(CHMOD ${STAGE}/bootstrap PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
                                          GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Each library under the name the loader asks for (a symlink such as
# libcurl.so.4 is copied as the file it points to).
set(names "")
foreach(library ${libraries})
    get_filename_component(name ${library} NAME)
    file(COPY_FILE ${library} ${STAGE}/lib/${name})
    file(CHMOD ${STAGE}/lib/${name} PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
    list(APPEND names ${name})
endforeach()
list(SORT names)
list(LENGTH names count)

# A fixed time stamp: the same build gives the same archive.
file(REMOVE ${OUTPUT})
execute_process(
    COMMAND ${CMAKE_COMMAND} -E tar cf ${OUTPUT} --format=zip "--mtime=2000-01-01 00:00:00 UTC"
            bootstrap lib
    WORKING_DIRECTORY ${STAGE}
    RESULT_VARIABLE zipped)
if(NOT zipped EQUAL 0)
    message(FATAL_ERROR "package.cmake: writing ${OUTPUT} failed")
endif()
string(REPLACE ";" " " names "${names}")
message(STATUS "order-lambda.zip: bootstrap and ${count} libraries: ${names}")
