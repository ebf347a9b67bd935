"""pytest plugins: the glue between pytest/nbval and the course's kernels and grader."""
