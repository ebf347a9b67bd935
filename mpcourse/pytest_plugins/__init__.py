"""pytest plugins: nbval_kernel (the course's kernels under nbval), nbval_record (what a grading run records)."""
