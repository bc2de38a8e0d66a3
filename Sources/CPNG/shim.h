// libpng 1.6 (Debian: libpng-dev; Homebrew: libpng), plus two small helpers for Swift.
//
// libpng reports errors with longjmp, which must never cross Swift frames. The helpers below keep
// setjmp, every libpng call and the in-memory read/write callbacks inside C, and hand Swift a
// plain status code and message instead.
#ifndef SIAM_CPNG_SHIM_H
#define SIAM_CPNG_SHIM_H

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
    SIAM_PNG_OK = 0,
    SIAM_PNG_CORRUPT = 1,    // libpng rejected the data (message says why)
    SIAM_PNG_TOO_LARGE = 2,  // width * height exceeds the caller's limit
    SIAM_PNG_NO_MEMORY = 3,
};

#define SIAM_PNG_MESSAGE_SIZE 256

typedef struct {
    const unsigned char *data;
    size_t size;
    size_t position;
} siam_png_source;

typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
} siam_png_sink;

static void siam_png_on_error(png_structp png, png_const_charp message) {
    char *buffer = (char *)png_get_error_ptr(png);
    if (buffer != NULL) {
        strncpy(buffer, message != NULL ? message : "libpng error", SIAM_PNG_MESSAGE_SIZE - 1);
        buffer[SIAM_PNG_MESSAGE_SIZE - 1] = '\0';
    }
    png_longjmp(png, 1);
}

static void siam_png_on_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;  // warnings (e.g. "iCCP: known incorrect sRGB profile") are not errors
}

static void siam_png_read_memory(png_structp png, png_bytep out, size_t count) {
    siam_png_source *source = (siam_png_source *)png_get_io_ptr(png);
    if (source->size - source->position < count) {
        png_error(png, "PNG data ends early (file is truncated)");
    }
    memcpy(out, source->data + source->position, count);
    source->position += count;
}

static void siam_png_write_memory(png_structp png, png_bytep bytes, size_t count) {
    siam_png_sink *sink = (siam_png_sink *)png_get_io_ptr(png);
    if (sink->capacity - sink->size < count) {
        size_t capacity = sink->capacity < 65536 ? 65536 : sink->capacity;
        while (capacity - sink->size < count) capacity *= 2;
        unsigned char *grown = (unsigned char *)realloc(sink->data, capacity);
        if (grown == NULL) png_error(png, "out of memory while encoding PNG");
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, bytes, count);
    sink->size += count;
}

static void siam_png_flush_memory(png_structp png) { (void)png; }

/// Decodes a whole PNG held in memory to 8-bit BGR, row-major, 3 bytes per pixel, with the same
/// libpng transforms OpenCV 4.x `imread(IMREAD_COLOR)` applies: 16-bit samples keep their high
/// byte (png_set_strip_16), alpha and tRNS are dropped without compositing (png_set_strip_alpha),
/// palettes expand to RGB, 1/2/4-bit gray expands to 8 bits (scaled), gray is replicated to three
/// channels, colour is swapped to BGR, interlaced images are de-interlaced.
///
/// On SIAM_PNG_OK `*pixels` holds width*height*3 bytes allocated with malloc (caller frees).
/// Otherwise `*pixels` is NULL and `message` holds libpng's reason.
static inline int siam_png_decode_bgr(const unsigned char *data, size_t size, uint64_t max_pixels,
                                      unsigned char **pixels, uint32_t *width, uint32_t *height,
                                      char message[SIAM_PNG_MESSAGE_SIZE]) {
    *pixels = NULL;
    *width = 0;
    *height = 0;
    message[0] = '\0';
    siam_png_source source = {data, size, 0};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, message, siam_png_on_error,
                                             siam_png_on_warning);
    if (png == NULL) {
        strncpy(message, "cannot create libpng read struct", SIAM_PNG_MESSAGE_SIZE - 1);
        return SIAM_PNG_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        strncpy(message, "cannot create libpng info struct", SIAM_PNG_MESSAGE_SIZE - 1);
        return SIAM_PNG_NO_MEMORY;
    }
    // Touched between setjmp and longjmp, so volatile.
    unsigned char *volatile buffer = NULL;
    png_bytep *volatile rows = NULL;
    volatile int status = SIAM_PNG_CORRUPT;
    if (setjmp(png_jmpbuf(png))) {
        free(buffer);
        free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return status;
    }
    png_set_read_fn(png, &source, siam_png_read_memory);
    png_read_info(png, info);
    png_uint_32 w = 0, h = 0;
    int bit_depth = 0, color_type = 0;
    png_get_IHDR(png, info, &w, &h, &bit_depth, &color_type, NULL, NULL, NULL);
    if (w == 0 || h == 0 || (uint64_t)w * (uint64_t)h > max_pixels) {
        status = SIAM_PNG_TOO_LARGE;
        png_error(png, "image dimensions exceed the decoder's limit");
    }
    if (bit_depth == 16) png_set_strip_16(png);
    png_set_strip_alpha(png);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((color_type & PNG_COLOR_MASK_COLOR) == 0 && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (color_type & PNG_COLOR_MASK_COLOR) {
        png_set_bgr(png);
    } else {
        png_set_gray_to_rgb(png);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_channels(png, info) != 3 || png_get_bit_depth(png, info) != 8 ||
        png_get_rowbytes(png, info) != (size_t)w * 3) {
        png_error(png, "unexpected PNG layout after transforms");
    }
    size_t row_bytes = (size_t)w * 3;
    status = SIAM_PNG_NO_MEMORY;
    buffer = (unsigned char *)malloc(row_bytes * (size_t)h);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)h);
    if (buffer == NULL || rows == NULL) png_error(png, "out of memory while decoding PNG");
    status = SIAM_PNG_CORRUPT;
    for (png_uint_32 y = 0; y < h; y++) rows[y] = buffer + row_bytes * y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *pixels = buffer;
    *width = w;
    *height = h;
    return SIAM_PNG_OK;
}

/// Encodes 8-bit BGR pixels (row-major, 3 bytes per pixel, no padding) as an RGB PNG.
/// `compression_level` is zlib's 0...9. On SIAM_PNG_OK `*out` holds `*out_size` bytes allocated
/// with malloc/realloc (caller frees).
static inline int siam_png_encode_bgr(const unsigned char *pixels, uint32_t width, uint32_t height,
                                      int compression_level, unsigned char **out, size_t *out_size,
                                      char message[SIAM_PNG_MESSAGE_SIZE]) {
    *out = NULL;
    *out_size = 0;
    message[0] = '\0';
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, message, siam_png_on_error,
                                              siam_png_on_warning);
    if (png == NULL) {
        strncpy(message, "cannot create libpng write struct", SIAM_PNG_MESSAGE_SIZE - 1);
        return SIAM_PNG_NO_MEMORY;
    }
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        strncpy(message, "cannot create libpng info struct", SIAM_PNG_MESSAGE_SIZE - 1);
        return SIAM_PNG_NO_MEMORY;
    }
    siam_png_sink sink = {NULL, 0, 0};
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(sink.data);
        png_destroy_write_struct(&png, &info);
        return SIAM_PNG_CORRUPT;
    }
    png_set_write_fn(png, &sink, siam_png_write_memory, siam_png_flush_memory);
    png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, compression_level);
    png_write_info(png, info);
    png_set_bgr(png);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)(height > 0 ? height : 1));
    if (rows == NULL) png_error(png, "out of memory while encoding PNG");
    for (uint32_t y = 0; y < height; y++) rows[y] = (png_bytep)(pixels + (size_t)width * 3 * y);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    free(rows);
    png_destroy_write_struct(&png, &info);
    *out = sink.data;
    *out_size = sink.size;
    return SIAM_PNG_OK;
}

#endif
