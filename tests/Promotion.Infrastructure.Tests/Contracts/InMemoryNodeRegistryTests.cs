using Promotion.Engine.Nodes;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryNodeRegistryTests : NodeRegistryContract
{
    protected override INodeRegistry Registry { get; } = new InMemoryNodeRegistry();
}
