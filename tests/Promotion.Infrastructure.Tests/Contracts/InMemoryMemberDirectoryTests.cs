using Promotion.Engine.Members;
using Promotion.Infrastructure.InMemory;

namespace Promotion.Infrastructure.Tests.Contracts;

public sealed class InMemoryMemberDirectoryTests : MemberDirectoryContract
{
    protected override IMemberDirectory Directory { get; } = new InMemoryMemberDirectory();
}
