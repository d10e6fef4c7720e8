#!/usr/bin/python3
"""A private DHT of libtorrent nodes on 127.0.0.1, bootstrapped only from each
other: python3 private_dht.py N. Prints {"ports": [...]}, then answers
commands on stdin with one JSON line each: get TARGET, getm KEY MINSEQ,
put VALUE_HEX. Used by the end-to-end tests and bench/dht.sh."""
import json, sys, time, warnings, libtorrent as lt
warnings.simplefilter("ignore", DeprecationWarning)
count = int(sys.argv[1])
settings = {"listen_interfaces": "127.0.0.1:0", "enable_dht": True, "enable_lsd": False,
            "enable_upnp": False, "enable_natpmp": False, "dht_bootstrap_nodes": "",
            "dht_restrict_routing_ips": False, "dht_restrict_search_ips": False,
            "dht_enforce_node_id": False, "dht_prefer_verified_node_ids": False,
            "dht_block_ratelimit": 100000, "dht_upload_rate_limit": 1 << 20,
            "alert_mask": lt.alert.category_t.dht_notification | lt.alert.category_t.error_notification}
nodes = [lt.session(settings) for _ in range(count)]
ports = [s.listen_port() for s in nodes]
for s in nodes:
    for p in ports:
        if p != s.listen_port():
            s.add_dht_node(("127.0.0.1", p))
def value(item):
    # The binding hands items back as {"key":..., "value":...} dicts.
    if isinstance(item, dict):
        return next(v for k, v in item.items() if k in ("value", b"value"))
    return item
def alert(kind, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        nodes[0].wait_for_alert(100)
        for a in nodes[0].pop_alerts():
            if isinstance(a, kind):
                return a
    return None
# Ready once every node knows every other: then a put reaches them all.
deadline = time.time() + 10
while time.time() < deadline and any(s.status().dht_nodes < count - 1 for s in nodes):
    time.sleep(0.01)
print(json.dumps({"ports": ports}), flush=True)
for line in sys.stdin:
    words = line.split()
    if words[0] == "get":
        nodes[0].dht_get_immutable_item(lt.sha1_hash(bytes.fromhex(words[1])))
        a = alert(lt.dht_immutable_item_alert)
        print(json.dumps({"value": lt.bencode(value(a.item)).hex() if a else None}), flush=True)
    elif words[0] == "getm":
        # Answers with the first item of at least seq MIN (libtorrent
        # has verified its signature by then) or the authoritative one.
        minimum = int(words[2])
        nodes[0].dht_get_mutable_item(bytes.fromhex(words[1]), b"")
        end = time.time() + 20
        found = None
        while time.time() < end:
            a = alert(lt.dht_mutable_item_alert, end - time.time())
            if a and (a.authoritative or a.seq >= minimum):
                found = a
                break
        print(json.dumps(None if not found or found.seq == 0 else
                         {"value": lt.bencode(value(found.item)).hex(), "seq": found.seq,
                          "signature": found.signature.hex()}), flush=True)
    elif words[0] == "put":
        target = nodes[0].dht_put_immutable_item(bytes.fromhex(words[1]).decode("latin-1"))
        a = alert(lt.dht_put_alert)
        print(json.dumps({"target": str(target), "nodes": a.num_success if a else 0}), flush=True)
