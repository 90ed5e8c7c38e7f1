using Microsoft.Extensions.Configuration;

namespace ScaiControl.Infrastructure;

/// <summary>
/// Where the embedded default keeps its files (SQLite database, object store, development signing key):
/// configuration key DataDirectory (default "data"). A relative path is taken from the repository root when the app
/// runs from a source checkout (the folder holding ScaiControl.sln, found upwards from the working directory), so
/// `dotnet run --project ScaiControl.Web` from the root uses ./data; otherwise from the working directory.
/// </summary>
public static class DataDirectory
{
    /// <summary>The absolute data directory.</summary>
    public static string Resolve(IConfiguration configuration)
    {
        var configured = configuration["DataDirectory"] ?? "data";
        if (Path.IsPathRooted(configured))
        {
            return configured;
        }

        var dir = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ScaiControl.sln")))
        {
            dir = dir.Parent;
        }

        return Path.GetFullPath(Path.Combine(dir?.FullName ?? Directory.GetCurrentDirectory(), configured));
    }
}
