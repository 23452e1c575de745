# Helpers that give every library of the project the same shape: C11, strict
# warnings, optional sanitizers, headers under include/orders/..., installed
# and exported as orders::<name>.

set(ORDERS_WARNINGS
    -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wformat=2 -Wvla -Wcast-align -Wpointer-arith
    -Wundef -Wnull-dereference -Wdouble-promotion)

# orders_strict(<target>): the project's own compile rules for one target.
function(orders_strict target)
    set_target_properties(${target} PROPERTIES C_STANDARD 11 C_STANDARD_REQUIRED ON
                                               C_EXTENSIONS OFF)
    target_compile_options(${target} PRIVATE ${ORDERS_WARNINGS})
    target_compile_definitions(${target} PRIVATE _DEFAULT_SOURCE)
endfunction()

# orders_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Builds the static library orders_<name> (alias orders::<name>) whose public
# headers live in ${CMAKE_CURRENT_SOURCE_DIR}/include and installs both.
function(orders_library name)
    cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
    add_library(orders_${name} STATIC ${ARG_SOURCES})
    add_library(orders::${name} ALIAS orders_${name})
    set_target_properties(orders_${name} PROPERTIES EXPORT_NAME ${name}
                                                    POSITION_INDEPENDENT_CODE ON)
    orders_strict(orders_${name})
    target_include_directories(orders_${name} PUBLIC
        $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
        $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(orders_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
    install(TARGETS orders_${name} EXPORT ordersTargets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
    install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    # Every installed library, for the check of their symbols (tests/symbols).
    set_property(GLOBAL APPEND PROPERTY ORDERS_LIBRARIES orders_${name})
endfunction()

# orders_test_library(<target>): a static library of test helpers. Its
# archive is named libtest_... rather than liborders_...: it is no library of
# the project's, never installed, and its helpers (e2e_call, sc_setup, ...)
# keep the short names of the tests, where a liborders_*.a must carry the
# ord_ prefix on every global symbol.
function(orders_test_library target)
    string(REGEX REPLACE "^orders_" "" stem ${target})
    set_target_properties(${target} PROPERTIES OUTPUT_NAME test_${stem})
endfunction()
