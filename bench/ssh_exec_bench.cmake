# The C++ half of bench/ssh_exec (SshExecutor vs OpenSSH on a real local sshd). Include it from the top-level
# CMakeLists.txt after the tests (it uses the tests/fixtures/sshd fixture):
#     if(TAILOPS_BUILD_TESTS)
#         include(bench/ssh_exec_bench.cmake)
#     endif()
if(NOT TARGET tailops_sshd_fixture)
    add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/../tests/fixtures/sshd ${CMAKE_BINARY_DIR}/tests/fixtures/sshd)
endif()
add_executable(ssh_exec_bench ${CMAKE_CURRENT_LIST_DIR}/ssh_exec_bench.cpp)
target_link_libraries(ssh_exec_bench PRIVATE tailops_ssh tailops_sshd_fixture tailops_options)
