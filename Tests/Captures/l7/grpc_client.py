"""gRPC client for record-l7.sh: one channel (one TCP/HTTP2 connection),
three calls. Prints one expected line per call: grpc SERVICE/METHOD STATUS.
Usage: grpc_client.py GENDIR TARGET"""
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import helloworld_pb2  # noqa: E402
import helloworld_pb2_grpc  # noqa: E402

SVC = "helloworld.Greeter"
with grpc.insecure_channel(sys.argv[2]) as ch:
    grpc.channel_ready_future(ch).result(timeout=5)
    stub = helloworld_pb2_grpc.GreeterStub(ch)

    stub.SayHello(helloworld_pb2.HelloRequest(name="sluice"), timeout=5)
    print("grpc %s/SayHello %d" % (SVC, grpc.StatusCode.OK.value[0]))

    replies = list(stub.SayHelloStream(helloworld_pb2.HelloRequest(name="stream", count=3),
                                       timeout=5))
    assert len(replies) == 3, replies
    print("grpc %s/SayHelloStream %d" % (SVC, grpc.StatusCode.OK.value[0]))

    try:
        stub.SayHello(helloworld_pb2.HelloRequest(name="error"), timeout=5)
        raise SystemExit("expected an error status")
    except grpc.RpcError as e:
        print("grpc %s/SayHello %d" % (SVC, e.code().value[0]))
