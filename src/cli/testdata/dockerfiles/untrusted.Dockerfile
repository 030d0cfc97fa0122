# a pinned image from a public registry
FROM docker.io/library/debian:12@sha256:4f4c7b2b8f3c3d1f8e0a6b9c2d5e7f1a3b4c6d8e9f0a1b2c3d4e5f60718293a4
RUN echo hi
