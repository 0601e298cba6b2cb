# Runtime dependencies, all from Debian bookworm:
#  yaml-cpp 0.7 (config files with line/column marks), libssh 0.10 (SSH executor),
#  OpenSSL 3 (HMAC-SHA256, SHA-256, TLS through QtNetwork).
find_package(yaml-cpp REQUIRED)
if(NOT TARGET yaml-cpp::yaml-cpp)
    add_library(yaml-cpp::yaml-cpp ALIAS yaml-cpp)
endif()
find_package(OpenSSL 3 REQUIRED)
