# Installs the exported targets, a CMake package (find_package(orders)) and
# pkg-config files, so another program links the static libraries without
# this repository's build. Included after every library target exists.

include(CMakePackageConfigHelpers)

set(ORDERS_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/orders)
set(ORDERS_PKGCONFIG_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Adapters with an external library; each exists only when its folder does.
set(ORDERS_OPTIONAL_ADAPTERS postgres http rest jwt amqp)

# The folders of public headers that get installed: the layers, and each
# adapter whose library is built. The docs and the header test read this.
set(ORDERS_PUBLIC_INCLUDE_DIRS
    ${PROJECT_SOURCE_DIR}/support/include
    ${PROJECT_SOURCE_DIR}/domain/include
    ${PROJECT_SOURCE_DIR}/ports/include
    ${PROJECT_SOURCE_DIR}/application/include)
file(GLOB _orders_adapter_dirs LIST_DIRECTORIES true ${PROJECT_SOURCE_DIR}/adapters/*)
list(SORT _orders_adapter_dirs)
foreach(dir IN LISTS _orders_adapter_dirs)
    get_filename_component(adapter ${dir} NAME)
    if(TARGET orders_${adapter} AND IS_DIRECTORY ${dir}/include)
        list(APPEND ORDERS_PUBLIC_INCLUDE_DIRS ${dir}/include)
    endif()
endforeach()

# What a consumer must find before the exported targets load, keyed by the
# imported target an installed library links; and what pkg-config's
# Libs.private needs for it. Static libraries carry even their PRIVATE
# dependencies into the export, so every one of them counts.
set(_orders_dep_Threads::Threads       "find_dependency(Threads)")
set(_orders_dep_PostgreSQL::PostgreSQL "find_dependency(PostgreSQL)")
set(_orders_dep_CURL::libcurl          "find_dependency(CURL)")
set(_orders_dep_cjson                  "find_dependency(cJSON)")
set(_orders_dep_civetweb::civetweb     "find_dependency(civetweb CONFIG)")
set(_orders_lib_Threads::Threads       "-pthread")
set(_orders_lib_PostgreSQL::PostgreSQL "-lpq")
set(_orders_lib_CURL::libcurl          "-lcurl")
set(_orders_lib_cjson                  "-lcjson;-lm") # libcjson.pc: Libs.private -lm
set(_orders_lib_civetweb::civetweb     "-lcivetweb")

# _orders_external_deps(<target> <out-calls> <out-private-libs>): the lines
# the Config file needs to recreate the external libraries <target> links,
# and their linker flags. A plain library name (e.g. "pq") or path goes to
# the linker as it is; a PkgConfig::<NAME> target is recreated with
# pkg_check_modules(); any other imported target stops the configure, since
# the installed package could not recreate it.
function(_orders_external_deps target out_calls out_libs)
    set(calls "")
    set(libs "")
    get_target_property(linked ${target} LINK_LIBRARIES)
    get_target_property(iface ${target} INTERFACE_LINK_LIBRARIES)
    foreach(item IN LISTS linked iface)
        if(NOT item OR item MATCHES "NOTFOUND$" OR item MATCHES "^\\$<"
           OR item MATCHES "^orders(_|::)" OR item STREQUAL "orders")
            continue()
        endif()
        if(DEFINED _orders_dep_${item})
            list(APPEND calls "${_orders_dep_${item}}")
            list(APPEND libs "${_orders_lib_${item}}")
            continue()
        endif()
        string(REGEX MATCH "^PkgConfig::(.+)$" pkg_target "${item}")
        set(pc_prefix "${CMAKE_MATCH_1}")
        if(pkg_target AND ${pc_prefix}_MODULE_NAME)
            list(APPEND calls "find_dependency(PkgConfig)"
                 "pkg_check_modules(${pc_prefix} REQUIRED QUIET IMPORTED_TARGET ${${pc_prefix}_MODULE_NAME})")
            foreach(lib IN LISTS ${pc_prefix}_LIBRARIES)
                list(APPEND libs "-l${lib}")
            endforeach()
        elseif(TARGET ${item})
            message(FATAL_ERROR "orders package: ${target} links ${item}; teach "
                                "cmake/OrdersPackage.cmake how a consumer finds it")
        elseif(item MATCHES "^-" OR IS_ABSOLUTE "${item}")
            list(APPEND libs "${item}")
        else()
            list(APPEND libs "-l${item}")
        endif()
    endforeach()
    list(REMOVE_DUPLICATES calls)
    list(REMOVE_DUPLICATES libs)
    set(${out_calls} "${calls}" PARENT_SCOPE)
    set(${out_libs} "${libs}" PARENT_SCOPE)
endfunction()

# The .pc files find the prefix from their own place, so an install moved
# elsewhere (or made with cmake --install --prefix) still works.
file(RELATIVE_PATH ORDERS_PC_PREFIX_FROM_PCFILEDIR
     /_prefix/${ORDERS_PKGCONFIG_INSTALL_DIR} /_prefix)
string(REGEX REPLACE "/$" "" ORDERS_PC_PREFIX_FROM_PCFILEDIR "${ORDERS_PC_PREFIX_FROM_PCFILEDIR}")

# The core, in static link order (users before what they use).
set(ORDERS_CORE_LIBRARIES orders_application orders_memory orders_system orders_domain
                          orders_support)
set(ORDERS_FIND_DEPENDENCIES "find_dependency(Threads)")
set(ORDERS_CORE_LIBS_PRIVATE "-pthread")
foreach(lib IN LISTS ORDERS_CORE_LIBRARIES)
    _orders_external_deps(${lib} deps libs)
    list(APPEND ORDERS_FIND_DEPENDENCIES ${deps})
    list(APPEND ORDERS_CORE_LIBS_PRIVATE ${libs})
endforeach()
list(REMOVE_DUPLICATES ORDERS_CORE_LIBS_PRIVATE)

# Any other library of the project (apps may add some) is exported too when
# orders_library() made it (it sets EXPORT_NAME): its dependencies count.
function(_orders_static_libraries dir out)
    get_directory_property(targets DIRECTORY ${dir} BUILDSYSTEM_TARGETS)
    set(found "")
    foreach(target IN LISTS targets)
        get_target_property(type ${target} TYPE)
        get_target_property(export_name ${target} EXPORT_NAME)
        if(type STREQUAL "STATIC_LIBRARY" AND export_name)
            list(APPEND found ${target})
        endif()
    endforeach()
    get_directory_property(subdirs DIRECTORY ${dir} SUBDIRECTORIES)
    foreach(subdir IN LISTS subdirs)
        _orders_static_libraries(${subdir} more)
        list(APPEND found ${more})
    endforeach()
    set(${out} "${found}" PARENT_SCOPE)
endfunction()
_orders_static_libraries(${PROJECT_SOURCE_DIR} _orders_all_libraries)
foreach(lib IN LISTS _orders_all_libraries)
    _orders_external_deps(${lib} deps libs)
    list(APPEND ORDERS_FIND_DEPENDENCIES ${deps})
endforeach()

set(ORDERS_INSTALLED_ADAPTERS "")
foreach(adapter IN LISTS ORDERS_OPTIONAL_ADAPTERS)
    if(NOT TARGET orders_${adapter})
        continue()
    endif()
    list(APPEND ORDERS_INSTALLED_ADAPTERS ${adapter})
    _orders_external_deps(orders_${adapter} deps libs)
    list(APPEND ORDERS_FIND_DEPENDENCIES ${deps})
    # One .pc per adapter, so a program that needs only the core does not
    # pull libpq, libcurl or civetweb onto its link line.
    set(ORDERS_PC_NAME "orders-${adapter}")
    set(ORDERS_PC_DESCRIPTION "Order service ${adapter} adapter")
    set(ORDERS_PC_REQUIRES "Requires: orders = ${PROJECT_VERSION}")
    set(ORDERS_PC_LIBS "-lorders_${adapter}")
    list(JOIN libs " " ORDERS_PC_LIBS_PRIVATE)
    configure_file(${CMAKE_CURRENT_LIST_DIR}/orders.pc.in
                   ${PROJECT_BINARY_DIR}/pkgconfig/orders-${adapter}.pc @ONLY)
    install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/orders-${adapter}.pc
            DESTINATION ${ORDERS_PKGCONFIG_INSTALL_DIR})
endforeach()
list(REMOVE_DUPLICATES ORDERS_FIND_DEPENDENCIES)

list(JOIN ORDERS_FIND_DEPENDENCIES "\n" ORDERS_FIND_DEPENDENCY_CALLS)

install(EXPORT ordersTargets
        NAMESPACE orders::
        FILE ordersTargets.cmake
        DESTINATION ${ORDERS_CMAKE_INSTALL_DIR})

configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ordersConfig.cmake.in
    ${PROJECT_BINARY_DIR}/ordersConfig.cmake
    INSTALL_DESTINATION ${ORDERS_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ordersConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ordersConfig.cmake
              ${PROJECT_BINARY_DIR}/ordersConfigVersion.cmake
        DESTINATION ${ORDERS_CMAKE_INSTALL_DIR})

# orders.pc: the core (application, in-memory and system adapters, domain,
# support).
set(ORDERS_PC_NAME "orders")
set(ORDERS_PC_DESCRIPTION "${PROJECT_DESCRIPTION}")
set(ORDERS_PC_REQUIRES "")
list(TRANSFORM ORDERS_CORE_LIBRARIES PREPEND "-l" OUTPUT_VARIABLE core_flags)
list(JOIN core_flags " " ORDERS_PC_LIBS)
list(JOIN ORDERS_CORE_LIBS_PRIVATE " " ORDERS_PC_LIBS_PRIVATE)
configure_file(${CMAKE_CURRENT_LIST_DIR}/orders.pc.in
               ${PROJECT_BINARY_DIR}/pkgconfig/orders.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/orders.pc
        DESTINATION ${ORDERS_PKGCONFIG_INSTALL_DIR})
