{
  "targets": [
    {
      "target_name": "local_link",
      "sources": ["local_link.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
