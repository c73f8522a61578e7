"""scripts/soak.sh's figures of one run as '# ' lines, from its summary.json.

    soak_figures.py DIR/summary.json
"""
import json, sys
f = json.load(open(sys.argv[1]))
def mb(kb): return "%.1f MiB" % (kb / 1024)
print("# figures, run %s (%d s):" % (f["run"], f["seconds"]))
print("#   connections %d (%d byte-exact both ways), stuck %d" % (f["connections"], f["connections_ok"], f["stuck"]))
print("#   bytes delivered: client->server %d, server->client %d" % (f["bytes_client_to_server"], f["bytes_server_to_client"]))
for p, r in sorted(f["relays"].items()):
    print("#   path %s relay: lost %d/%d dup %d/%d reordered %d/%d (a->b/b->a), frames %d/%d" % (
        p, r["ab"]["lost"], r["ba"]["lost"], r["ab"]["duplicated"], r["ba"]["duplicated"],
        r["ab"]["reordered"], r["ba"]["reordered"], r["ab"]["rx"], r["ba"]["rx"]))
print("#   link flaps %d (link-down events seen: %s)" % (f["flaps"], ", ".join("%s %d" % kv for kv in f["link_down_events"].items())))
for n, m in f["memory"].items():
    print("#   %s daemon RSS: before %s, peak %s, after %s (allowed +%s)" % (
        n, mb(m["rss_before_kb"]), mb(m["rss_peak_kb"]), mb(m["rss_after_kb"]), mb(m["tolerance_kb"])))
for n, x in f["daemons"].items():
    print("#   %s daemon: %d connections reported, %d errors, %d MPTCP to the end (others fell back), %d on both paths, %d subflows opened" % (
        n, x["conns_reported"], x["errors"], x["mptcp_no_fallback"], x["used_both_paths"], x["subflows_opened"]))
if f["kernel_server_fallbacks"] is not None:
    print("#   kernel server: %d of %d connections fell back to TCP" % (f["kernel_server_fallbacks"], f["connections"]))
