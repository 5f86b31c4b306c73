"""Calls qenus.v1.Dataplane with Python's grpcio: through classes protoc generated from the .proto
(`proto` mode) or through message types built from what server reflection returns (`reflection`
mode). Prints what it read as JSON, big integers as decimal strings, for the Node test to compare.

Usage: interop.py MODE TARGET GENERATED_DIR FROM_BLOCK LAST_BLOCK SNAPSHOT_BLOCK
"""
import json
import sys

import grpc


def main():
    mode, target, generated = sys.argv[1:4]
    first, last, at = (int(v) for v in sys.argv[4:7])
    sys.path.insert(0, generated)
    channel = grpc.insecure_channel(target)
    types = proto_types() if mode == "proto" else reflected_types(channel)
    call = lambda name, req, res: channel.unary_unary(
        f"/qenus.v1.Dataplane/{name}", request_serializer=req.SerializeToString, response_deserializer=res.FromString
    )
    stream = lambda name, req, res: channel.unary_stream(
        f"/qenus.v1.Dataplane/{name}", request_serializer=req.SerializeToString, response_deserializer=res.FromString
    )
    out = {"mode": mode}
    heads = call("GetHeads", types["GetHeadsRequest"], types["Heads"])(types["GetHeadsRequest"]())
    out["heads"] = [{"chain": h.chain, "chainId": str(h.chain_id), "head": str(h.head.number)} for h in heads.heads]
    snap = call("GetSnapshot", types["GetSnapshotRequest"], types["Snapshot"])(
        types["GetSnapshotRequest"](chain="devnet", block=at)
    )
    out["snapshot"] = {
        "block": str(snap.block.number),
        "hash": "0x" + snap.block.hash.hex(),
        "features": [
            {"id": f.id, "kind": f.kind, "reserves": list(f.amm_pool.reserves), "liquidity": f.amm_pool.liquidity}
            for f in snap.features
        ],
    }
    try:
        call("GetSnapshot", types["GetSnapshotRequest"], types["Snapshot"])(
            types["GetSnapshotRequest"](chain="devnet", block=1)
        )
    except grpc.RpcError as error:
        out["outOfRange"] = {"code": error.code().name, "details": error.details()}
    request = types["StreamFeaturesRequest"](from_block=first, block_ends=True)
    request.filter.kinds.append("amm.*")
    ids = []
    responses = stream("StreamFeatures", types["StreamFeaturesRequest"], types["FeatureEvent"])(request, timeout=20)
    for event in responses:
        which = event.WhichOneof("event")
        if which == "feature":
            ids.append(event.feature.id)
        elif which == "block_end" and event.block_end.block.number >= last:
            responses.cancel()
            break
    out["streamIds"] = ids
    print(json.dumps(out))


def proto_types():
    from qenus.v1 import dataplane_pb2

    names = ["GetHeadsRequest", "Heads", "GetSnapshotRequest", "Snapshot", "StreamFeaturesRequest", "FeatureEvent"]
    return {name: getattr(dataplane_pb2, name) for name in names}


def reflected_types(channel):
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    # Compiled from a copy of reflection.proto outside `grpc/`, which the grpcio package owns.
    from qenus_reflection import reflection_pb2

    info = channel.stream_stream(
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        request_serializer=reflection_pb2.ServerReflectionRequest.SerializeToString,
        response_deserializer=reflection_pb2.ServerReflectionResponse.FromString,
    )
    listed = next(info(iter([reflection_pb2.ServerReflectionRequest(list_services="")])))
    services = [s.name for s in listed.list_services_response.service]
    if "qenus.v1.Dataplane" not in services:
        raise SystemExit(f"reflection lists {services}, not qenus.v1.Dataplane")
    found = next(info(iter([reflection_pb2.ServerReflectionRequest(file_containing_symbol="qenus.v1.Dataplane")])))
    files = {}
    for raw in found.file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
        files[proto.name] = proto
    pool = descriptor_pool.DescriptorPool()

    def add(name):
        if name in added:
            return
        if name == "google/protobuf/descriptor.proto":
            # A well-known file: reflection clients use their runtime's own copy.
            files[name] = descriptor_pb2.FileDescriptorProto.FromString(descriptor_pb2.DESCRIPTOR.serialized_pb)
        if name not in files:
            fetched = next(info(iter([reflection_pb2.ServerReflectionRequest(file_by_filename=name)])))
            for raw in fetched.file_descriptor_response.file_descriptor_proto:
                proto = descriptor_pb2.FileDescriptorProto.FromString(raw)
                files.setdefault(proto.name, proto)
        for dependency in files[name].dependency:
            add(dependency)
        pool.Add(files[name])
        added.add(name)

    added = set()
    for name in list(files):
        add(name)
    service = pool.FindServiceByName("qenus.v1.Dataplane")
    methods = [m.name for m in service.methods]
    if methods != ["GetSnapshot", "StreamFeatures", "StreamOpportunities", "GetHeads"]:
        raise SystemExit(f"unexpected methods {methods}")
    factory = message_factory.MessageFactory(pool)
    names = ["GetHeadsRequest", "Heads", "GetSnapshotRequest", "Snapshot", "StreamFeaturesRequest", "FeatureEvent"]
    return {name: factory.GetPrototype(pool.FindMessageTypeByName(f"qenus.v1.{name}")) for name in names}


if __name__ == "__main__":
    main()
