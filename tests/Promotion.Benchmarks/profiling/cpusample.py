# Samples cumulative CPU seconds of every process each second: "epoch pid name cpu_seconds" lines.
import os, sys, time
tck = os.sysconf("SC_CLK_TCK")
names = {}
out = open(sys.argv[1], "a", buffering=1)
while True:
    now = time.time()
    for pid in os.listdir("/proc"):
        if not pid.isdigit(): continue
        try:
            with open(f"/proc/{pid}/stat") as f: s = f.read()
            fields = s[s.rindex(")")+2:].split()
            cpu = (int(fields[11]) + int(fields[12])) / tck
            if cpu < 0.05: continue
            if pid not in names:
                name = s[s.index("(")+1:s.rindex(")")]
                cmd = open(f"/proc/{pid}/cmdline").read().split("\0")
                if any("Promotion.Host" in c for c in cmd): name = "engine-host"
                elif any("Benchmarks" in c for c in cmd): name = "bench"
                names[pid] = name
            out.write(f"{now:.0f} {pid} {names[pid]} {cpu:.2f}\n")
        except Exception: pass
    time.sleep(1)
