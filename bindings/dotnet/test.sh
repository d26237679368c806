#!/usr/bin/env bash
# Tests the .NET binding, after build/linux, build/mingw64 and build/mingw32 were built: restores, builds, runs
# the xunit tests against build/linux/src/libmiowin.so (net8.0 and netstandard2.0 builds of the
# binding), packs the .nupkg and checks its contents, licence and metadata, builds and runs the example of
# docs/dotnet.md against that package, runs the benchmark's smoke mode (bench.sh has the real
# run), runs the consumer tests (tests/Miowin.Consumer/consumer.sh:
# a user's project consuming the package by version, published in every layout and run without
# MIOWIN_LIBRARY, win-x64 under Wine, win-x86 under 32-bit Wine 10 and linux-x64 natively), and
# runs the xunit tests under Wine
# against build/mingw64/src/miowin.dll as a self-contained win-x64 program. Every output goes to
# build/dotnet and a temporary folder. Ends with "dotnet: N passed, N failed"; exits non-zero on
# any failure. About 4 minutes on two idle cores (the consumer tests about 70-85 s of it).
#
# Environment: MIOWIN_DOTNET_SKIP_WINE=1 skips the Wine runs (counted as neither passed nor
# failed, and said so); WINEPREFIX overrides build/mingw64/wineprefix.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/build/dotnet"
linux_lib="$root/build/linux/src/libmiowin.so"
win_dll="$root/build/mingw64/src/miowin.dll"
win32_dll="$root/build/mingw32/src/miowin.dll"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$here/src/MiowinSharp/MiowinSharp.csproj")
feed="$out/package/release"
package="$feed/MiowinSharp.$version.nupkg"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# One build node: the machine has two cores, and the test runs want one of them.
msbuild_opts=(-m:1 -p:BuildInParallel=false --nologo)

total_passed=0
total_failed=0
log=$(mktemp)
consumer=
consumer_not_run=
trap 'rm -f "$log"; if [ -n "$consumer" ]; then rm -rf "$consumer"; fi' EXIT

step() { printf '=== dotnet: %s\n' "$*"; }
pass() { total_passed=$((total_passed + 1)); }
fail() {
  echo "dotnet/test.sh: FAILED: $*" >&2
  total_failed=$((total_failed + 1))
}

# restore PROJECT [ARGS]: restores from the configured sources; if those cannot be reached, once
# more from the machine's package folder alone, which works offline once the NuGet cache holds
# the packages that folder lacks (NETStandard.Library, the net8.0 reference pack).
restore() {
  local project=$1
  shift
  if dotnet restore "$project" "${msbuild_opts[@]}" -v q "$@"; then return 0; fi
  if [ -d /opt/nuget/packages ]; then
    echo "dotnet/test.sh: restore failed; retrying from /opt/nuget/packages and the NuGet cache only" >&2
    dotnet restore "$project" "${msbuild_opts[@]}" -v q --source /opt/nuget/packages "$@"
  else
    return 1
  fi
}

# count_xunit: adds the counts of `dotnet test`'s closing line in $log to the totals.
count_xunit() {
  local status=$1 summary passed failed
  summary=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+' "$log" | tail -n 1 || true)
  if [ -z "$summary" ]; then
    fail "$2: dotnet test printed no summary (exit $status)"
    return
  fi
  failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$summary")
  passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$summary")
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

for f in "$linux_lib" "$win_dll" "$win32_dll"; do
  if [ ! -f "$f" ]; then
    echo "dotnet/test.sh: $f is missing: build it first (cmake --preset linux|mingw64|mingw32, cmake --build --preset ...)" >&2
    echo "0 passed, 1 failed"
    exit 1
  fi
done

# --- Restore and build ----------------------------------------------------------------------
step "restore and build"
built=1
for project in src/MiowinSharp/MiowinSharp.csproj tests/Miowin.Tests/Miowin.Tests.csproj \
               tests/Miowin.Tests.NetStandard/Miowin.Tests.NetStandard.csproj; do
  if ! restore "$here/$project" || ! dotnet build "$here/$project" -c Release --no-restore "${msbuild_opts[@]}" -v q; then
    fail "build of $project"
    built=0
  fi
done

# --- xunit against libmiowin.so -------------------------------------------------------------
if [ "$built" -eq 1 ]; then
  for project in Miowin.Tests Miowin.Tests.NetStandard; do
    step "xunit $project against $linux_lib"
    set +e
    MIOWIN_LIBRARY="$linux_lib" timeout 900 dotnet test "$here/tests/$project/$project.csproj" -c Release \
      --no-build --nologo --blame-hang-timeout 120s 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    count_xunit "$status" "$project"
  done
fi

# --- Pack and check the package -------------------------------------------------------------
step "pack"
rm -f "$package"
if dotnet pack "$here/src/MiowinSharp/MiowinSharp.csproj" -c Release "${msbuild_opts[@]}" -v q && [ -f "$package" ]; then
  unzip -l "$package"
  ok=1
  for entry in lib/net8.0/MiowinSharp.dll lib/netstandard2.0/MiowinSharp.dll PACKAGE.md \
               runtimes/win-x64/native/miowin.dll runtimes/win-x86/native/miowin.dll \
               runtimes/linux-x64/native/libmiowin.so; do
    if ! unzip -l "$package" "$entry" >/dev/null 2>&1; then
      echo "dotnet/test.sh: $entry is not in the package" >&2
      ok=0
    fi
  done
  # The native files are the build trees' files, byte for byte.
  if [ "$ok" -eq 1 ]; then
    unzip -p "$package" runtimes/win-x64/native/miowin.dll | cmp -s - "$win_dll" || { echo "packed miowin.dll differs from $win_dll" >&2; ok=0; }
    unzip -p "$package" runtimes/win-x86/native/miowin.dll | cmp -s - "$win32_dll" || { echo "packed win-x86 miowin.dll differs from $win32_dll" >&2; ok=0; }
    unzip -p "$package" runtimes/linux-x64/native/libmiowin.so | cmp -s - "$linux_lib" || { echo "packed libmiowin.so differs from $linux_lib" >&2; ok=0; }
    # Each Windows folder holds the DLL of its own machine type (file(1): "PE32 executable (DLL)
    # (console) Intel 80386, for MS Windows").
    for entry in 'win-x64 ^PE32\+ executable \(DLL\).* x86-64,' 'win-x86 ^PE32 executable \(DLL\).* Intel 80386,'; do
      rid=${entry%% *}
      kind=$(unzip -p "$package" "runtimes/$rid/native/miowin.dll" | file -b -)
      if ! grep -Eq "${entry#* }" <<<"$kind"; then
        echo "dotnet/test.sh: runtimes/$rid/native/miowin.dll is not the $rid DLL: $kind" >&2
        ok=0
      fi
    done
  fi
  if [ "$ok" -eq 1 ]; then pass; else fail "package contents"; fi
else
  fail "dotnet pack"
fi

# --- The package's licence and metadata ----------------------------------------------------------
# What a user (and nuget.org) reads from the .nuspec inside the package: the MIT licence as an
# SPDX expression, with the LICENSE file beside it, the authors, a description, tags and the
# readme, which must be the packed PACKAGE.md.
step "package licence and metadata"
if [ -f "$package" ]; then
  nuspec=$(unzip -p "$package" MiowinSharp.nuspec 2>/dev/null || true)
  ok=1
  for pattern in '<license type="expression">MIT</license>' '<authors>[^<]+</authors>' \
                 '<description>[^<]{40,}</description>' '<tags>[^<]+</tags>' \
                 '<readme>PACKAGE.md</readme>' '<copyright>[^<]+</copyright>'; do
    if ! grep -Eq "$pattern" <<<"$nuspec"; then
      echo "dotnet/test.sh: the package's nuspec lacks $pattern" >&2
      ok=0
    fi
  done
  if ! unzip -p "$package" LICENSE | cmp -s - "$root/LICENSE"; then
    echo "dotnet/test.sh: the package's LICENSE is missing or differs from $root/LICENSE" >&2
    ok=0
  fi
  if [ "$ok" -eq 1 ]; then pass; else fail "package metadata"; fi
else
  fail "package metadata: no package"
fi

# package_app_project FILE [PROPERTY...]: writes an executable project that takes MiowinSharp
# $version from a feed (never a project reference), as a user's app does; each PROPERTY
# (`Name>value`) is added to its PropertyGroup.
package_app_project() {
  local file=$1 extra="" property
  shift
  for property in "$@"; do extra+="    <${property%%>*}>${property#*>}</${property%%>*}>"$'\n'; done
  cat >"$file" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
${extra}  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MiowinSharp" Version="$version" />
  </ItemGroup>
</Project>
EOF
}

# example_run DIR LINE NAME: restores DIR/example.csproj from the package alone (into the first
# example's private package folder), builds it, and runs it without MIOWIN_LIBRARY, so that the
# library comes from the package's runtimes/linux-x64/native; one test, passed if it exits 0 and
# prints LINE.
example_run() {
  local dir=$1 line=$2 name=$3 status
  if dotnet restore "$dir/example.csproj" "${msbuild_opts[@]}" -v q \
       --source "$(dirname "$package")" --packages "$example/packages" &&
     dotnet build "$dir/example.csproj" -c Release --no-restore "${msbuild_opts[@]}" -v q -o "$dir/bin" &&
     [ -f "$dir/bin/runtimes/linux-x64/native/libmiowin.so" ]; then
    set +e
    (unset MIOWIN_LIBRARY; timeout 60 dotnet "$dir/bin/example.dll") 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -eq 0 ] && grep -qx "$line" "$log"; then pass; else fail "$name run (exit $status)"; fi
  else
    fail "$name build"
  fi
}

# --- The documented example, against the package --------------------------------------------
# The first ```cs block of docs/dotnet.md, built as its own project with the package as its only
# source and a private package folder (so that a cached older Miowin 1.0.0 is never used), run
# without MIOWIN_LIBRARY so that the library comes from the package's runtimes/linux-x64/native.
step "docs/dotnet.md example against $(basename "$package")"
example="$out/example"
rm -rf "$example"
mkdir -p "$example"
if [ -f "$package" ]; then
  awk '/^```cs$/ {inside = 1; next} inside && /^```$/ {exit} inside {print}' "$root/docs/dotnet.md" >"$example/Program.cs"
  echo '<Project />' >"$example/Directory.Build.props"
  echo '<Project />' >"$example/Directory.Build.targets"
  package_app_project "$example/example.csproj"
  if [ ! -s "$example/Program.cs" ]; then
    fail "docs/dotnet.md has no \`\`\`cs block"
  else
    example_run "$example" 'echoed: hello, miowin' example
  fi
else
  fail "example: no package"
fi

# The child-process example of docs/dotnet.md (the ```cs block after its "tested" marker), built
# the same way beside the first one, natively: a waitable source reports the child's exit.
step "docs/dotnet.md child-process example against $(basename "$package")"
child_example="$out/example-child"
rm -rf "$child_example"
mkdir -p "$child_example"
if [ -f "$package" ] && [ -f "$example/example.csproj" ]; then
  awk '/^<!-- tested: the child-process example -->$/ {marked = 1; next}
       marked && /^```cs$/ {inside = 1; next} inside && /^```$/ {exit} inside {print}' \
    "$root/docs/dotnet.md" >"$child_example/Program.cs"
  cp "$example/example.csproj" "$example/Directory.Build.props" "$example/Directory.Build.targets" "$child_example/"
  if [ ! -s "$child_example/Program.cs" ]; then
    fail "docs/dotnet.md has no child-process example"
  else
    example_run "$child_example" 'child exited with 3' "child-process example"
  fi
else
  fail "child-process example: no package or no first example"
fi

# --- The benchmark still runs ------------------------------------------------------------------
# Only its smoke mode (10 connections, half a second of each stack): the benchmark itself is
# bench.sh's, with numbers in docs/dotnet.md. It exits 0 only if every echo came back intact.
step "benchmark smoke run (bench/Miowin.Bench --smoke)"
bench_project="$here/bench/Miowin.Bench/Miowin.Bench.csproj"
if restore "$bench_project" && dotnet build "$bench_project" -c Release --no-restore "${msbuild_opts[@]}" -v q; then
  set +e
  MIOWIN_LIBRARY="$linux_lib" timeout 120 dotnet "$out/bin/Miowin.Bench/release/Miowin.Bench.dll" --smoke 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" -eq 0 ] && grep -Eq '^\| 10 \|' "$log"; then pass; else fail "benchmark smoke run (exit $status)"; fi
else
  fail "benchmark build"
fi

# --- Wine --------------------------------------------------------------------------------------
# DOTNET_EnableWriteXorExecute=0 (a Wine workaround, not a miowin setting): with .NET's W^X double
# mapping, Wine 8 crashes the runtime ("Internal CLR error 0x80131506" in
# DynamicResolver.DestroyScout.Finalize) once the GC finalizes a reflection-emitted method after
# sockets were used; it happens without miowin too.
# Unlike the C tests, mscoree must stay enabled: Wine's loader needs it to map the runtime's
# IL-only assemblies (with it disabled, System.Runtime.dll fails with "Module not found").
prefix=${WINEPREFIX:-$root/build/mingw64/wineprefix}
wine_env=(env WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mshtml=")
wine_ok=0
if [ "${MIOWIN_DOTNET_SKIP_WINE:-0}" = 1 ]; then
  step "Wine runs skipped (MIOWIN_DOTNET_SKIP_WINE=1)"
elif ! command -v wine >/dev/null 2>&1; then
  fail "wine is not installed (scripts/bootstrap.sh installs it)"
else
  wine_ok=1
  if [ ! -d "$prefix" ]; then "${wine_env[@]}" timeout 300 wine wineboot.exe --init >/dev/null 2>&1 || true; fi
fi

# --- The package as a user consumes it ----------------------------------------------------------
consumer_start=$SECONDS
# shellcheck source=tests/Miowin.Consumer/consumer.sh
. "$here/tests/Miowin.Consumer/consumer.sh"
step "consumer tests took $((SECONDS - consumer_start)) s"

# --- The xunit tests under Wine, against miowin.dll ---------------------------------------------
# The tests as a self-contained win-x64 program (no test host, no .NET on the Windows side).
if [ "$wine_ok" -eq 1 ]; then
  step "tests under Wine against $win_dll"
  runner="$out/publish/Miowin.WineRunner/release_win-x64/Miowin.WineRunner.exe"
  rm -f "$runner"
  project="$here/tests/Miowin.WineRunner/Miowin.WineRunner.csproj"
  if restore "$project" && dotnet publish "$project" -c Release --no-restore "${msbuild_opts[@]}" -v q && [ -f "$runner" ]; then
    # Wine's drive Z: is the Unix root.
    dll_windows_path="Z:${win_dll//\//\\}"
    set +e
    "${wine_env[@]}" DOTNET_EnableWriteXorExecute=0 MIOWIN_LIBRARY="$dll_windows_path" \
      timeout 900 wine "$runner" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1 || true)
    if [ -z "$summary" ]; then
      fail "Wine run printed no summary (exit $status)"
    else
      passed=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
      failed=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
      if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
      total_passed=$((total_passed + passed))
      total_failed=$((total_failed + failed))
    fi
  else
    fail "publish of the Wine runner"
  fi
fi

if [ -n "$consumer_not_run" ]; then echo "dotnet/test.sh: $consumer_not_run"; fi
echo "dotnet: $total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
