using Promotion.Benchmarks;

// dotnet run -c Release --project tests/Promotion.Benchmarks -- --scenarios push,plan,coupons,limit,memory
// Needs the servers of infra/up.sh and the connection strings it writes (source connection.env).
// JSON lines and the markdown table go to stdout, progress to stderr.
return await BenchmarkProgram.RunAsync(args, Console.Out, Console.Error);
