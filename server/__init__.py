"""The gRPC service: ``flowzap.converter.v1.ConverterService`` over the ``converters`` library.

This package only translates between the API (proto/flowzap/converter/v1/, generated code in
``server.gen``) and the library's public functions; every decision about diagrams is the
library's. Layout:

- ``config``      flags and environment variables → ``Config``
- ``supervisor``  the parent process: reserves the port, runs the workers, drains on SIGTERM
- ``worker``      one worker process: a ``grpc.aio`` server on the shared port (SO_REUSEPORT)
- ``calls``       per call: request id, deadline, the thread hop, the structured log line
- ``service``     ``ConverterService`` (and ``echo``: the benchmark-only ``EchoService``)
- ``messages``    library objects ⇄ protobuf messages (diagnostics, formats, the model)
- ``status``      library errors → rich ``google.rpc.Status``
- ``healthcheck`` a one-shot gRPC health probe (the Docker HEALTHCHECK)
"""
