{
  "targets": [
    {
      "target_name": "vipd_link",
      "sources": ["vipd_link.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-O2"]
    }
  ]
}
