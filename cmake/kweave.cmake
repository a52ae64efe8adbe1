# SPDX-License-Identifier: GPL-2.0-only
# Helpers shared by the CMakeLists of sim/, core/, tools/, tests/ and fuzz/.

# kw_code_under_test(TARGET): compile TARGET's sources as code under test.
function(kw_code_under_test tgt)
	target_compile_options(${tgt} PRIVATE ${KW_CUT_FLAGS})
	target_include_directories(${tgt} PRIVATE ${CMAKE_SOURCE_DIR}/sim/include ${CMAKE_SOURCE_DIR}/core)
endfunction()

# kw_engine_code(TARGET): compile TARGET's sources as engine code (never instrumented).
function(kw_engine_code tgt)
	target_compile_options(${tgt} PRIVATE -O2 -g ${KW_ENGINE_FLAGS})
	target_include_directories(${tgt} PRIVATE ${CMAKE_SOURCE_DIR}/sim/include ${CMAKE_SOURCE_DIR}/sim)
endfunction()

# kw_link_program(TARGET): link an executable against the engine and every scenario.
function(kw_link_program tgt)
	target_sources(${tgt} PRIVATE $<TARGET_OBJECTS:kweave_core>)
	target_link_libraries(${tgt} PRIVATE kweave_sim ${KW_WRAP_FLAGS} ${KW_LINK_FLAGS} m)
endfunction()
