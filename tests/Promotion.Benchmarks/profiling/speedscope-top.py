# CPU time per frame from a dotnet-trace speedscope file (thread-time samples): only samples whose
# state marker is CPU_TIME (running managed code) count; the frame under the marker is "self".
import json, sys, collections, re
d = json.load(open(sys.argv[1])); frames = [f["name"] for f in d["shared"]["frames"]]
self_ = collections.Counter(); incl = collections.Counter(); cpu = unmanaged = 0.0
for p in d["profiles"]:
    stack, prev = [], None
    for e in p["events"]:
        t = e["at"]
        if prev is not None and len(stack) > 1 and t > prev:
            dt = t - prev; marker = frames[stack[-1]]
            if marker == "CPU_TIME":
                cpu += dt; self_[frames[stack[-2]]] += dt
                for f in set(stack[:-1]): incl[frames[f]] += dt
            elif marker == "UNMANAGED_CODE_TIME":
                unmanaged += dt
        prev = t
        if e["type"] == "O": stack.append(e["frame"])
        elif stack: stack.pop()
print(f"managed CPU {cpu/1000:.1f} thread-s (unmanaged or waiting {unmanaged/1000:.1f} thread-s)")
print("-- self")
for k, v in self_.most_common(int(sys.argv[2])): print(f"{100*v/cpu:5.1f}% {k[:140]}")
print("-- inclusive, by component (the widest frame matching)")
for pat in sys.argv[3:]:
    tot = max((v for k, v in incl.items() if re.search(pat, k)), default=0)
    print(f"{100*tot/cpu:5.1f}% {pat}")
