"""gRPC server (grpcio) for record-l7.sh. Usage: grpc_server.py GENDIR ADDR..."""
import sys
from concurrent import futures

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import helloworld_pb2  # noqa: E402
import helloworld_pb2_grpc  # noqa: E402


class Greeter(helloworld_pb2_grpc.GreeterServicer):
    def SayHello(self, request, context):
        if request.name == "error":
            context.abort(grpc.StatusCode.NOT_FOUND, "no such greeting: error")
        return helloworld_pb2.HelloReply(message="Hello, %s!" % request.name)

    def SayHelloStream(self, request, context):
        for i in range(request.count):
            yield helloworld_pb2.HelloReply(message="Hello #%d, %s!" % (i + 1, request.name))


server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
helloworld_pb2_grpc.add_GreeterServicer_to_server(Greeter(), server)
for addr in sys.argv[2:]:
    server.add_insecure_port(addr)
server.start()
print("listening", flush=True)
server.wait_for_termination()
