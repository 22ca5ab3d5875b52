// Each test starts a host and a browser on a two-core machine: one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
