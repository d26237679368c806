// A minimal runner for the xunit tests: finds every [Fact] and [Theory] in this assembly, runs
// each on its own thread with a time limit (the test's own Timeout when it states one), waits for
// the Task of a test that returns one, prints one line per test and a closing "N passed, N failed"
// line, and exits non-zero if any failed.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Sdk;

namespace Miowin.WineRunner
{
    internal static class Runner
    {
        private static readonly TimeSpan TestLimit = TimeSpan.FromSeconds(120);

        private static int Main(string[] args)
        {
            string? filter = args.Length > 0 ? args[0] : null;
            Console.WriteLine($"miowin {MiowLibrary.VersionString} via {MiowLibrary.ResolutionMechanism}, " +
                              $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}");
            int passed = 0, failed = 0, skipped = 0;
            bool hung = false;
            foreach (MethodInfo method in TestMethods())
            {
                FactAttribute fact = method.GetCustomAttribute<FactAttribute>()!;
                string name = $"{method.DeclaringType!.FullName}.{method.Name}";
                if (filter != null && !name.Contains(filter, StringComparison.Ordinal)) continue;
                if (fact.Skip != null)
                {
                    Console.WriteLine($"SKIP {name}: {fact.Skip}");
                    skipped++;
                    continue;
                }
                foreach (object?[] row in Rows(method))
                {
                    string label = row.Length == 0 ? name : $"{name}({string.Join(", ", row)})";
                    var clock = Stopwatch.StartNew();
                    TimeSpan limit = fact.Timeout > 0 ? TimeSpan.FromMilliseconds(fact.Timeout) : TestLimit;
                    Exception? error = Run(method, row, limit, out bool timedOut);
                    if (timedOut) hung = true;
                    if (error == null)
                    {
                        passed++;
                        Console.WriteLine($"PASS {label} [{clock.ElapsedMilliseconds} ms]");
                    }
                    else
                    {
                        failed++;
                        Console.WriteLine($"FAIL {label} [{clock.ElapsedMilliseconds} ms]\n{error}");
                    }
                    if (hung) break;
                }
                if (hung) break;
            }
            Console.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
            Console.Out.Flush();
            // Exit rather than return: a test that hung, or a failed test's helper thread, may
            // still own a thread that would keep the process alive.
            Environment.Exit(hung ? 2 : failed == 0 ? 0 : 1);
            return 0;
        }

        private static IEnumerable<MethodInfo> TestMethods() =>
            typeof(Runner).Assembly.GetTypes()
                .Where(t => t.IsClass && t.IsPublic && !t.IsAbstract)
                .OrderBy(t => t.FullName, StringComparer.Ordinal)
                .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance)
                                  .Where(m => m.GetCustomAttribute<FactAttribute>() != null)
                                  .OrderBy(m => m.Name, StringComparer.Ordinal));

        private static IEnumerable<object?[]> Rows(MethodInfo method)
        {
            if (method.GetCustomAttribute<TheoryAttribute>() == null) return new[] { Array.Empty<object?>() };
            return method.GetCustomAttributes<DataAttribute>().SelectMany(d => d.GetData(method));
        }

        private static Exception? Run(MethodInfo method, object?[] row, TimeSpan limit, out bool timedOut)
        {
            Exception? error = null;
            var thread = new Thread(() =>
            {
                object? instance = null;
                try
                {
                    instance = Activator.CreateInstance(method.DeclaringType!);
                    if (method.Invoke(instance, row) is Task task) task.GetAwaiter().GetResult();
                }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    error = e.InnerException;
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    (instance as IDisposable)?.Dispose();
                }
            })
            { IsBackground = true };
            thread.Start();
            timedOut = !thread.Join(limit);
            if (timedOut) return new TimeoutException($"the test did not finish within {limit}");
            return error;
        }
    }
}
