// Each test starts several host processes on a two-core machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
