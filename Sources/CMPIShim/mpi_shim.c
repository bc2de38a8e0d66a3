// Open MPI through dlopen/dlsym (see include/mpi_shim.h). Open MPI's handles are the addresses of
// exported globals: mpi.h defines MPI_COMM_WORLD as ((MPI_Comm) &ompi_mpi_comm_world), MPI_FLOAT
// as &ompi_mpi_float, MPI_SUM as &ompi_mpi_op_sum, MPI_IN_PLACE as (void *) 1 (Open MPI 4.1.4).
#include "mpi_shim.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *Handle;  // MPI_Comm, MPI_Datatype, MPI_Op: pointers in Open MPI

static struct {
    int loaded;
    int (*initialized)(int *);
    int (*finalized)(int *);
    int (*init_thread)(int *, char ***, int, int *);
    int (*comm_rank)(Handle, int *);
    int (*comm_size)(Handle, int *);
    int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
    int (*bcast)(void *, int, Handle, int, Handle);
    int (*barrier)(Handle);
    int (*finalize)(void);
    int (*abort)(Handle, int);
    Handle world, type_float, type_double, op_sum;
} mpi;

static void *const in_place = (void *)1;
enum { thread_serialized = 2 };  // MPI_THREAD_SERIALIZED in Open MPI's mpi.h

int siam_mpi_load(const char *library, char *error, size_t capacity) {
    if (mpi.loaded) return 0;
    void *lib = dlopen(library, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        snprintf(error, capacity, "%s", dlerror());
        return -1;
    }
    struct {
        const char *name;
        void **slot;
    } symbols[] = {
        {"MPI_Initialized", (void **)&mpi.initialized},
        {"MPI_Finalized", (void **)&mpi.finalized},
        {"MPI_Init_thread", (void **)&mpi.init_thread},
        {"MPI_Comm_rank", (void **)&mpi.comm_rank},
        {"MPI_Comm_size", (void **)&mpi.comm_size},
        {"MPI_Allreduce", (void **)&mpi.allreduce},
        {"MPI_Bcast", (void **)&mpi.bcast},
        {"MPI_Barrier", (void **)&mpi.barrier},
        {"MPI_Finalize", (void **)&mpi.finalize},
        {"MPI_Abort", (void **)&mpi.abort},
        {"ompi_mpi_comm_world", &mpi.world},
        {"ompi_mpi_float", &mpi.type_float},
        {"ompi_mpi_double", &mpi.type_double},
        {"ompi_mpi_op_sum", &mpi.op_sum},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(lib, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(error, capacity, "%s has no symbol %s (not Open MPI 3 or later?)", library, symbols[i].name);
            dlclose(lib);
            return -1;
        }
    }
    mpi.loaded = 1;
    return 0;
}

static void finalize_at_exit(void) {
    int done = 0;
    mpi.finalized(&done);
    if (!done) mpi.finalize();
}

int siam_mpi_init(int *rank, int *size, char *error, size_t capacity) {
    if (!mpi.loaded) {
        snprintf(error, capacity, "MPI is not loaded");
        return -1;
    }
    int initialized = 0;
    mpi.initialized(&initialized);
    if (!initialized) {
        int provided = 0;
        int rc = mpi.init_thread(NULL, NULL, thread_serialized, &provided);
        if (rc != 0) {
            snprintf(error, capacity, "MPI_Init_thread failed (error %d)", rc);
            return -1;
        }
        atexit(finalize_at_exit);
        if (provided < thread_serialized) {
            snprintf(error, capacity, "this MPI provides thread level %d; MPI_THREAD_SERIALIZED (2) is needed", provided);
            return -1;
        }
    }
    if (mpi.comm_rank(mpi.world, rank) != 0 || mpi.comm_size(mpi.world, size) != 0) {
        snprintf(error, capacity, "MPI_Comm_rank / MPI_Comm_size failed");
        return -1;
    }
    return 0;
}

int siam_mpi_allreduce_sum_float(float *buffer, size_t count) {
    for (size_t done = 0; done < count;) {
        int n = count - done > INT_MAX ? INT_MAX : (int)(count - done);
        int rc = mpi.allreduce(in_place, buffer + done, n, mpi.type_float, mpi.op_sum, mpi.world);
        if (rc != 0) return rc;
        done += (size_t)n;
    }
    return 0;
}

int siam_mpi_allreduce_sum_double(double *buffer, size_t count) {
    for (size_t done = 0; done < count;) {
        int n = count - done > INT_MAX ? INT_MAX : (int)(count - done);
        int rc = mpi.allreduce(in_place, buffer + done, n, mpi.type_double, mpi.op_sum, mpi.world);
        if (rc != 0) return rc;
        done += (size_t)n;
    }
    return 0;
}

int siam_mpi_broadcast_float(float *buffer, size_t count, int root) {
    for (size_t done = 0; done < count;) {
        int n = count - done > INT_MAX ? INT_MAX : (int)(count - done);
        int rc = mpi.bcast(buffer + done, n, mpi.type_float, root, mpi.world);
        if (rc != 0) return rc;
        done += (size_t)n;
    }
    return 0;
}

int siam_mpi_barrier(void) { return mpi.barrier(mpi.world); }

void siam_mpi_abort(int code) {
    mpi.abort(mpi.world, code);
    exit(code);
}
