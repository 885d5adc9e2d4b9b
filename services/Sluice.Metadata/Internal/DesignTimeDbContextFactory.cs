using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Sluice.Metadata.Internal;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a host.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MetadataDbContext>
{
    public MetadataDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<MetadataDbContext>();
        MetadataDbContext.Configure(builder, "Host=127.0.0.1;Database=sluice_design;Username=sluice");
        return new MetadataDbContext(builder.Options);
    }
}
