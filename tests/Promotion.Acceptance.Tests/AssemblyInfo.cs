// Each test starts several host processes on a two-core machine: at most two classes at a time, and
// those in the "alone" collection by themselves (see Collections).
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerClass, MaxParallelThreads = 2)]
