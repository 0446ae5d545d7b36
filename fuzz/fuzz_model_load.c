/*
 * fuzz_model_load.c - a hostile model bundle: refused with a message, or
 * loaded into a model that classifies a paragraph without reading out of
 * bounds. The bundle's CRC and zlib layer would stop nearly every random
 * mutation at the door, so by default the input is the bundle's three
 * sections (u16 length + meta JSON, u16 length + saved vectoriser, rest =
 * libsvm model text), written into a well-formed bundle; an input that
 * starts with "RKZB" is used as the bundle file itself, to reach the
 * container reader too.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify/pipeline.h"
#include "models/bundle.h"
#include "models/model.h"

static size_t take16(const uint8_t **p, size_t *left) {
    if (*left < 2)
        return 0;
    size_t n = (size_t)(*p)[0] | (size_t)(*p)[1] << 8;
    *p += 2;
    *left -= 2;
    return n < *left ? n : *left;
}

static int write_input(const char *path, const uint8_t *data, size_t size) {
    char err[256];
    if (size >= 4 && !memcmp(data, "RKZB", 4)) {
        FILE *f = fopen(path, "wb");
        if (!f)
            return -1;
        size_t put = fwrite(data, 1, size, f);
        return fclose(f) == 0 && put == size ? 0 : -1;
    }
    const uint8_t *p = data;
    size_t left = size;
    rk_bundle_section_t sec[3] = {
        {"meta", NULL, 0}, {"vectorizer", NULL, 0}, {"libsvm", NULL, 0}};
    for (int i = 0; i < 2; i++) {
        sec[i].len = take16(&p, &left);
        sec[i].data = p;
        p += sec[i].len;
        left -= sec[i].len;
    }
    sec[2].data = p;
    sec[2].len = left;
    return rk_bundle_write(path, sec, 3, err, sizeof err) == RK_OK ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    static rk_pipeline_ctx_t *ctx;
    if (!ctx) {
        snprintf(path, sizeof path, "/tmp/fuzz_model_load.%ld.rkz",
                 (long)getpid());
        ctx = rk_pipeline_ctx_new();
    }
    if (write_input(path, data, size) != 0)
        return 0;
    char err[512];
    rk_model_t *m = NULL;
    if (rk_model_load(path, &m, err, sizeof err) == RK_OK) {
        static const char text[] =
            "تدين الجمعية العامة الإرهاب بجميع أشكاله\n\n"
            "Member States shall prevent the financing of terrorism.";
        rk_pipeline_opts_t opts = {3, 1};
        rk_doc_t doc = {"fuzz", text, sizeof text - 1, NULL, 0, 0};
        rk_record_list_t out = {0};
        if (rk_pipeline_run(ctx, m, &opts, &doc, &out, err, sizeof err) ==
                RK_OK &&
            out.count != 3)
            abort(); /* two paragraphs and a summary, whatever the model */
        rk_record_list_free(&out);
        rk_model_destroy(m);
    }
    unlink(path);
    return 0;
}
