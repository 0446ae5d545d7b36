# Turns the stopword lists into a C source file at configure time, so the
# binary carries them and never reads data files while serving.
# In: SRC_DIR (text/stopwords), OUT (the .c file to write).
set(body "/* Generated from the lists in text/stopwords/ by embed.cmake. */\n")
string(APPEND body "#include \"text/stopwords.h\"\n\n")
foreach(lang ar en)
  file(STRINGS "${SRC_DIR}/${lang}.txt" lines ENCODING UTF-8)
  string(APPEND body "static const char *const words_${lang}[] = {\n")
  set(count 0)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" word)
    if(word STREQUAL "" OR word MATCHES "^#")
      continue()
    endif()
    string(REPLACE "\\" "\\\\" word "${word}")
    string(REPLACE "\"" "\\\"" word "${word}")
    string(APPEND body "    \"${word}\",\n")
    math(EXPR count "${count} + 1")
  endforeach()
  string(APPEND body "};\n")
  string(APPEND body "const rk_stopword_list_t rk_stopwords_${lang} = {\"${lang}\", words_${lang}, ${count}};\n\n")
endforeach()
# OUT is replaced only when it changes (configure_file's rule): each
# configure runs this, and a new file would rebuild and relink everything,
# under tests that may be running it.
file(WRITE "${OUT}.new" "${body}")
configure_file("${OUT}.new" "${OUT}" COPYONLY)
