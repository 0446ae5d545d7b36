/*
 * svm_text.c - see svm_text.h.
 */
#define _GNU_SOURCE /* memfd_create */
#include "models/svm_text.h"
#include "core/limits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int memfd_path(int fd, char *path, size_t n) {
    return snprintf(path, n, "/proc/self/fd/%d", fd) < (int)n;
}

rk_err_t rk_svm_to_text(const struct svm_model *m, char **text, size_t *len,
                        char *errstr, size_t errstr_size) {
    int fd = memfd_create("rakiza-svm", MFD_CLOEXEC);
    char path[64];
    if (fd < 0 || !memfd_path(fd, path, sizeof path) ||
        svm_save_model(path, m) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot serialise the libsvm model: %s", strerror(e));
    }
    off_t size = lseek(fd, 0, SEEK_END);
    char *buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (!buf || pread(fd, buf, (size_t)size, 0) != size) {
        free(buf);
        close(fd);
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot read back the libsvm model");
    }
    close(fd);
    buf[size] = '\0';
    *text = buf;
    *len = (size_t)size;
    return RK_OK;
}

/* Reads n numbers after a header keyword; 0 when fewer or not finite. */
static int numbers(char **p, int n, double *out) {
    for (int i = 0; i < n; i++) {
        char *end;
        double v = strtod(*p, &end);
        if (end == *p || !isfinite(v))
            return 0;
        if (out)
            out[i] = v;
        *p = end;
    }
    while (**p == ' ')
        (*p)++;
    return **p == '\n';
}

static rk_err_t validate(char *s, int nr_class, int dim, int need_prob,
                         char *errstr, size_t errstr_size) {
#define BAD(...)                                                               \
    return rk_fail(RK_ERR_DATA, errstr, errstr_size,                           \
                   "libsvm model: " __VA_ARGS__)
    /* The header lines, each a bit in seen. A line twice is refused:
     * libsvm would allocate its array again and leak the first (the
     * fuzzer's find). Those in required must be there: without rho or label
     * libsvm loads a model that predicts through a NULL array. */
    enum {
        SVM_TYPE,
        KERNEL,
        GAMMA,
        NR_CLASS,
        TOTAL_SV,
        RHO,
        LABEL,
        PROB_A,
        PROB_B,
        NR_SV
    };
    static const char *const header[] = {
        "svm_type", "kernel_type", "gamma", "nr_class", "total_sv",
        "rho",      "label",       "probA", "probB",    "nr_sv"};
    const unsigned required = 1u << SVM_TYPE | 1u << KERNEL | 1u << NR_CLASS |
                              1u << TOTAL_SV | 1u << RHO | 1u << LABEL |
                              1u << NR_SV;
#define ONCE(bit)                                                              \
    do {                                                                       \
        if (seen & 1u << (bit))                                                \
            BAD("header line %s twice", header[bit]);                          \
        seen |= 1u << (bit);                                                   \
    } while (0)
    unsigned seen = 0;
    int k = -1, pairs = 0, seen_prob_a = 0, seen_prob_b = 0;
    long total = -1, nr_sv_sum = -1;
    char *line = s;
    for (;;) {
        char *nl = strchr(line, '\n');
        if (!nl)
            BAD("header ends before the SV section");
        char *p = line;
        if (!strncmp(p, "SV", 2) && p + 2 == nl) {
            line = nl + 1;
            break;
        }
        if (!strncmp(p, "svm_type ", 9)) {
            ONCE(SVM_TYPE);
            if (strncmp(p + 9, "c_svc\n", 6))
                BAD("svm_type must be c_svc");
        } else if (!strncmp(p, "kernel_type ", 12)) {
            ONCE(KERNEL);
            if (strncmp(p + 12, "linear\n", 7) && strncmp(p + 12, "rbf\n", 4))
                BAD("kernel_type must be linear or rbf");
        } else if (!strncmp(p, "gamma ", 6)) {
            ONCE(GAMMA);
            p += 6;
            if (!numbers(&p, 1, NULL))
                BAD("bad gamma");
        } else if (!strncmp(p, "nr_class ", 9)) {
            ONCE(NR_CLASS);
            k = atoi(p + 9);
            if (k != nr_class)
                BAD("nr_class %d, but the bundle has %d labels", k, nr_class);
            pairs = k * (k - 1) / 2;
        } else if (!strncmp(p, "total_sv ", 9)) {
            ONCE(TOTAL_SV);
            total = atol(p + 9);
            if (total < 1 || total > 10000000)
                BAD("total_sv out of range");
        } else if (k > 0 && !strncmp(p, "rho ", 4)) {
            ONCE(RHO);
            p += 4;
            if (!numbers(&p, pairs, NULL))
                BAD("rho needs %d values", pairs);
        } else if (k > 0 && !strncmp(p, "label ", 6)) {
            ONCE(LABEL);
            double lab[RK_MAX_LABELS];
            p += 6;
            if (k > RK_MAX_LABELS || !numbers(&p, k, lab))
                BAD("label needs %d values", k);
            int used[RK_MAX_LABELS] = {0};
            for (int i = 0; i < k; i++) {
                /* (In range before the cast: casting a double past int's
                 * range is undefined.) */
                if (!(lab[i] >= 0 && lab[i] < k) || lab[i] != (int)lab[i] ||
                    used[(int)lab[i]]++)
                    BAD("labels must be 0..%d, each once", k - 1);
            }
        } else if (k > 0 && !strncmp(p, "probA ", 6)) {
            ONCE(PROB_A);
            p += 6;
            seen_prob_a = numbers(&p, pairs, NULL);
        } else if (k > 0 && !strncmp(p, "probB ", 6)) {
            ONCE(PROB_B);
            p += 6;
            seen_prob_b = numbers(&p, pairs, NULL);
        } else if (k > 0 && !strncmp(p, "nr_sv ", 6)) {
            ONCE(NR_SV);
            double nsv[RK_MAX_LABELS];
            p += 6;
            if (k > RK_MAX_LABELS || !numbers(&p, k, nsv))
                BAD("nr_sv needs %d values", k);
            nr_sv_sum = 0;
            for (int i = 0; i < k; i++) {
                if (!(nsv[i] >= 0 && nsv[i] <= 10000000) ||
                    nsv[i] != (long)nsv[i])
                    BAD("bad nr_sv");
                nr_sv_sum += (long)nsv[i];
            }
        } else {
            BAD("unexpected header line");
        }
        line = nl + 1;
    }
    for (unsigned bit = 0; bit < sizeof header / sizeof header[0]; bit++)
        if ((required & 1u << bit) && !(seen & 1u << bit))
            BAD("no %s line in the header", header[bit]);
    if (k < 2 || total < 1 || nr_sv_sum != total)
        BAD("nr_class, total_sv and nr_sv missing or inconsistent");
    if (need_prob && (!seen_prob_a || !seen_prob_b))
        BAD("no probability estimates (probA/probB)");
    long svs = 0;
    for (char *p = line; *p; svs++) {
        char *nl = strchr(p, '\n');
        if (!nl)
            BAD("support vector %ld has no line end", svs);
        for (int i = 0; i < k - 1; i++) {
            char *end;
            double v = strtod(p, &end);
            if (end == p || !isfinite(v))
                BAD("support vector %ld: bad coefficient", svs);
            p = end;
        }
        long prev = 0;
        while (p < nl) {
            while (*p == ' ')
                p++;
            if (p == nl)
                break;
            char *end;
            long idx = strtol(p, &end, 10);
            if (end == p || *end != ':' || idx <= prev || idx > dim)
                BAD("support vector %ld: feature index out of order or "
                    "outside 1..%d",
                    svs, dim);
            p = end + 1;
            double v = strtod(p, &end);
            if (end == p || !isfinite(v))
                BAD("support vector %ld: bad value", svs);
            p = end;
            prev = idx;
        }
        p = nl + 1;
    }
    if (svs != total)
        BAD("%ld support vectors, header says %ld", svs, total);
    return RK_OK;
#undef ONCE
#undef BAD
}

rk_err_t rk_svm_from_text(const char *text, size_t len, int nr_class, int dim,
                          int need_prob, struct svm_model **out, char *errstr,
                          size_t errstr_size) {
    *out = NULL;
    char *copy = malloc(len + 1);
    if (!copy)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    rk_err_t err =
        strlen(copy) != len
            ? rk_fail(RK_ERR_DATA, errstr, errstr_size,
                      "libsvm model: NUL byte in the text")
            : validate(copy, nr_class, dim, need_prob, errstr, errstr_size);
    free(copy);
    if (err)
        return err;
    int fd = memfd_create("rakiza-svm", MFD_CLOEXEC);
    char path[64];
    if (fd < 0 || !memfd_path(fd, path, sizeof path) ||
        write(fd, text, len) != (ssize_t)len) {
        if (fd >= 0)
            close(fd);
        return rk_fail(RK_ERR_IO, errstr, errstr_size,
                       "cannot stage the libsvm model: %s", strerror(errno));
    }
    *out = svm_load_model(path);
    close(fd);
    if (!*out)
        return rk_fail(RK_ERR_DATA, errstr, errstr_size,
                       "libsvm could not load the model");
    return RK_OK;
}

/* One header line of k values: "name v v v\n" (%.17g, as libsvm). */
static void put_numbers(FILE *f, const char *name, const double *v, int n) {
    fputs(name, f);
    for (int i = 0; i < n; i++)
        fprintf(f, " %.17g", v[i]);
    fputc('\n', f);
}

rk_err_t rk_svm_text_collapsed(int k, const int *label,
                               const struct svm_node *const *w,
                               const double *rho, const double *probA,
                               const double *probB, char **text, size_t *len,
                               char *errstr, size_t errstr_size) {
    int pairs = k * (k - 1) / 2;
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (!f)
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size, "out of memory");
    fprintf(f, "svm_type c_svc\nkernel_type linear\nnr_class %d\n", k);
    fprintf(f, "total_sv %d\n", pairs);
    put_numbers(f, "rho", rho, pairs);
    fputs("label", f);
    for (int i = 0; i < k; i++)
        fprintf(f, " %d", label[i]);
    fputc('\n', f);
    if (probA && probB) {
        put_numbers(f, "probA", probA, pairs);
        put_numbers(f, "probB", probB, pairs);
    }
    fputs("nr_sv", f);
    for (int i = 0; i < k; i++)
        fprintf(f, " %d", k - 1 - i); /* class i holds pairs (i, j > i) */
    fputs("\nSV\n", f);
    int q = 0;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++, q++) {
            for (int row = 0; row < k - 1; row++)
                fprintf(f, "%.17g ", row == j - 1 ? 1.0 : 0.0);
            for (const struct svm_node *x = w[q]; x->index != -1; x++)
                fprintf(f, "%d:%.*g ", x->index, RK_SVM_WEIGHT_DIGITS,
                        x->value);
            fputc('\n', f);
        }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(buf);
        return rk_fail(RK_ERR_NOMEM, errstr, errstr_size,
                       "cannot write the libsvm text: out of memory");
    }
    *text = buf;
    *len = size;
    return RK_OK;
}
