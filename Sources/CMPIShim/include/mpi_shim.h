// Open MPI loaded at run time (dlopen), for SiamTrain/Distributed/ProcessGroup.swift: no mpi.h and no
// libmpi at build time, so one binary runs alone or under mpirun / srun --mpi=pmix.
#ifndef SIAM_MPI_SHIM_H
#define SIAM_MPI_SHIM_H

#include <stddef.h>

/// Loads `library` (e.g. "libmpi.so.40") with RTLD_NOW | RTLD_GLOBAL (Open MPI's plugins resolve
/// libmpi's symbols globally) and looks up the MPI functions and Open MPI's predefined handles
/// (`ompi_mpi_comm_world`, `ompi_mpi_float`, `ompi_mpi_double`, `ompi_mpi_op_sum`). Returns 0, or
/// -1 with a NUL-terminated reason in `error` (`capacity` bytes). Loading twice is a no-op.
int siam_mpi_load(const char *library, char *error, size_t capacity);

/// `MPI_Init_thread` (MPI_THREAD_SERIALIZED: any thread may call, one at a time) unless MPI is
/// already initialised, then the rank and size in MPI_COMM_WORLD. `MPI_Finalize` is registered
/// with atexit. Returns 0, or -1 with a reason in `error`. Needs `siam_mpi_load`.
int siam_mpi_init(int *rank, int *size, char *error, size_t capacity);

/// In-place `MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT / MPI_DOUBLE, MPI_SUM,
/// MPI_COMM_WORLD)`, in pieces of at most INT_MAX elements. Returns MPI's error code (0: success).
int siam_mpi_allreduce_sum_float(float *buffer, size_t count);
int siam_mpi_allreduce_sum_double(double *buffer, size_t count);

/// `MPI_Bcast(buffer, count, MPI_FLOAT, root, MPI_COMM_WORLD)`, in pieces of at most INT_MAX.
int siam_mpi_broadcast_float(float *buffer, size_t count, int root);

/// `MPI_Barrier(MPI_COMM_WORLD)`.
int siam_mpi_barrier(void);

/// `MPI_Abort(MPI_COMM_WORLD, code)`: ends every process of the job; does not return.
void siam_mpi_abort(int code);

#endif
