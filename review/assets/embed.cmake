# Compiles the review page's assets (this folder) into a C source file at
# configure time, so the binary serves them and reads no files while
# serving. Each file becomes a byte array; review/page.h declares the table.
# In: SRC_DIR (review/assets), OUT (the .c file to write).
set(assets "page.html|text/html" "review.js|text/javascript"
    "review.css|text/css")
set(body "/* Generated from review/assets/ by embed.cmake. */\n")
string(APPEND body "#include \"review/page.h\"\n\n")
set(table "")
set(n 0)
foreach(entry IN LISTS assets)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 type)
  file(READ "${SRC_DIR}/${name}" hex HEX)
  string(LENGTH "${hex}" hex_len)
  math(EXPR len "${hex_len} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
  string(APPEND body "static const unsigned char asset_${n}[] = {\n${bytes}0};\n\n")
  string(APPEND table
         "    {\"/${name}\", \"${type}; charset=utf-8\", asset_${n}, ${len}},\n")
  math(EXPR n "${n} + 1")
endforeach()
string(APPEND body "const rk_review_asset_t rk_review_assets[] = {\n${table}};\n")
string(APPEND body "const size_t rk_review_n_assets = ${n};\n")
# OUT is replaced only when it changes (configure_file's rule): each
# configure runs this, and a new file would rebuild and relink everything,
# under tests that may be running it.
file(WRITE "${OUT}.new" "${body}")
configure_file("${OUT}.new" "${OUT}" COPYONLY)
