file(REMOVE_RECURSE
  "liblt_analysis.a"
)
