# One interface target carries the project's compile policy; every target links it PRIVATE.
add_library(tailops_options INTERFACE)
target_compile_features(tailops_options INTERFACE cxx_std_23)
target_compile_definitions(tailops_options INTERFACE
    QT_NO_KEYWORDS
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CAST_FROM_BYTEARRAY
    QT_NO_URL_CAST_FROM_STRING
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_STRICT_ITERATORS
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    TAILOPS_VERSION="${PROJECT_VERSION}")
target_compile_options(tailops_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Wcast-qual -Wformat=2
    $<$<BOOL:${TAILOPS_WERROR}>:-Werror>)

option(TAILOPS_WERROR "Treat warnings as errors" OFF)

# Sanitizer builds (presets asan / tsan set TAILOPS_SANITIZE).
set(TAILOPS_SANITIZE "" CACHE STRING "Sanitizers: address;undefined or thread")
if(TAILOPS_SANITIZE)
    string(REPLACE ";" "," _san "${TAILOPS_SANITIZE}")
    target_compile_options(tailops_options INTERFACE -fsanitize=${_san} -fno-omit-frame-pointer)
    target_link_options(tailops_options INTERFACE -fsanitize=${_san})
endif()

# Shared precompiled header for the Qt-heavy libraries (2-core machines).
function(tailops_use_pch target)
    target_precompile_headers(${target} PRIVATE
        <QtCore/QByteArray> <QtCore/QHash> <QtCore/QJsonArray> <QtCore/QJsonDocument>
        <QtCore/QJsonObject> <QtCore/QList> <QtCore/QObject> <QtCore/QString> <QtCore/QStringList>
        <expected> <functional> <memory>)
endfunction()
