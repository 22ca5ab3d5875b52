# CPU seconds per process name between two epochs, from each process's first and last sample inside.
import sys
path, t0, t1 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
first, last, name = {}, {}, {}
for line in open(path):
    t, pid, n, cpu = line.split(); t = float(t); cpu = float(cpu)
    if t < t0 or t > t1: continue
    first.setdefault(pid, cpu); last[pid] = cpu; name[pid] = n
d = {}
for pid in last: d[name[pid]] = d.get(name[pid], 0) + last[pid] - first[pid]
tot = sum(d.values()); span = t1 - t0
for k, v in sorted(d.items(), key=lambda x: -x[1])[:10]:
    print(f"{k:16s} {v:8.1f} CPU-s  {v/span:5.2f} cores  {100*v/tot if tot else 0:4.0f}% of used")
print(f"window {span:.0f} s, {tot:.1f} CPU-s used = {tot/span:.2f} of 2 cores")
