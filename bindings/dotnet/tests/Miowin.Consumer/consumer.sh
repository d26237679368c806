# The consumer tests, sourced by bindings/dotnet/test.sh (which defines pass, fail, step, here,
# version, feed, package, msbuild_opts, wine_env, wine_ok and package_app_project): the package
# as a user gets it. A
# console project made in a temporary folder outside the source tree references MiowinSharp by
# version from the local folder feed (a nuget.config as docs/dotnet.md shows; no project
# reference), is published in each deployment layout and run without MIOWIN_LIBRARY: the win-x64
# layouts under Wine, a self-contained win-x86 one under 32-bit Wine 10 (scripts/wine10.sh), the
# linux-x64 ones natively. Each run echoes over 200 connections
# (Program.cs) and counts one test: passed only if it exits 0 and says so.
#
# Layouts (win-x64 under Wine; linux-x64 natively):
#   portable       framework-dependent, no RID (runtimes/<rid>/native/ in the output):
#                  consumer.exe under Wine, `dotnet consumer.dll` natively
#   fd-win-x64     framework-dependent for win-x64
#   sc-win-x64     self-contained
#   single-fd-win-x64   single file, framework-dependent, IncludeNativeLibrariesForSelfExtract
#   single-sc-win-x64   single file, self-contained, IncludeNativeLibrariesForSelfExtract, and
#                  IncludeAllContentForSelfExtract because Wine 8 cannot map
#                  System.Private.CoreLib.dll from inside a bundle (E_INVALIDARG, without miowin
#                  too); natively it is left out
#   trimmed-win-x64     self-contained, PublishTrimmed
#   dotnet-run, single-sc-linux-x64, trimmed-linux-x64 natively
#   sc-win-x86     self-contained win-x86, under 32-bit Wine 10 in its Debian trixie root, with
#                  mscoree enabled (MIOW_WINE10_ENV). If the kernel cannot run 32-bit code, a
#                  "NOT RUN: ... because ..." line says so (as scripts/test.sh does for the x86
#                  ctest run) and nothing is counted; if the root cannot be made, that fails.
# The framework-dependent win-x64 layouts need .NET on the Windows side: it is installed into the
# Wine prefix from the win-x64 runtime pack that the self-contained publish restored, at
# C:\Program Files\dotnet, where the apphost looks without any variable.

consumer=$(mktemp -d "${TMPDIR:-/tmp}/miowin-consumer.XXXXXX")
consumer_log="$consumer/run.log"
mkdir -p "$consumer/app"
cp "$here/tests/Miowin.Consumer/Program.cs" "$consumer/app/Program.cs"
cat >"$consumer/app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="miowin-local" value="$feed" />
  </packageSources>
</configuration>
EOF
# InvariantGlobalization: Wine has no ICU; the program formats nothing culture-specific.
package_app_project "$consumer/app/consumer.csproj" "InvariantGlobalization>true"

# A package of this version that an earlier run left in the NuGet cache would shadow the one just
# packed: NuGet never looks at a feed again for an id and version it has.
global_packages=$(dotnet nuget locals global-packages -l | sed 's/^global-packages: *//')
rm -rf "${global_packages%/}/miowinsharp/$version"

# consumer_publish NAME ARGS...: publishes into $consumer/NAME; fails the layout if it cannot.
consumer_publish() {
  local name=$1
  shift
  if timeout 600 dotnet publish "$consumer/app/consumer.csproj" -c Release "${msbuild_opts[@]}" -v q \
       -o "$consumer/$name" "$@" >"$consumer_log" 2>&1; then
    return 0
  fi
  cat "$consumer_log"
  fail "consumer $name: publish failed"
  return 1
}

# consumer_check NAME COMMAND...: runs the program without MIOWIN_LIBRARY; one test.
consumer_check() {
  local name=$1 status
  shift
  set +e
  (unset MIOWIN_LIBRARY; cd "$consumer" && timeout 180 "$@") >"$consumer_log" 2>&1
  status=$?
  set -e
  cat "$consumer_log"
  if [ "$status" -eq 0 ] && grep -q '^consumer: 200 connections echoed 3276800 bytes' "$consumer_log"; then
    echo "PASS consumer $name"
    pass
  else
    fail "consumer $name (exit $status)"
  fi
}

# install_windows_dotnet: .NET for the framework-dependent layouts, from the runtime pack in the
# NuGet cache, laid out as the Windows installer does (host/fxr, shared/Microsoft.NETCore.App
# with its deps.json), once per prefix and version.
install_windows_dotnet() {
  local pack version_dir runtime_version root fx deps first f
  pack="${global_packages%/}/microsoft.netcore.app.runtime.win-x64"
  version_dir=$(ls -d "$pack"/*/ 2>/dev/null | sort -V | tail -n 1)
  [ -n "$version_dir" ] || { echo "no win-x64 runtime pack in $pack" >&2; return 1; }
  runtime_version=$(basename "$version_dir")
  root="$prefix/drive_c/Program Files/dotnet"
  fx="$root/shared/Microsoft.NETCore.App/$runtime_version"
  [ -f "$fx/Microsoft.NETCore.App.deps.json" ] && return 0
  mkdir -p "$root/host/fxr/$runtime_version" "$fx"
  cp "$version_dir/runtimes/win-x64/native/hostfxr.dll" "$root/host/fxr/$runtime_version/"
  cp "$version_dir"/runtimes/win-x64/lib/net*/*.dll "$fx/"
  find "$version_dir/runtimes/win-x64/native" -type f ! -name hostfxr.dll -exec cp {} "$fx/" \;
  # hostfxr lists a framework version only when its folder has the deps.json naming its files.
  deps="$fx/Microsoft.NETCore.App.deps.json.tmp"
  {
    printf '{"runtimeTarget":{"name":".NETCoreApp,Version=v10.0/win-x64","signature":""},"compilationOptions":{},\n'
    printf '"targets":{".NETCoreApp,Version=v10.0":{},".NETCoreApp,Version=v10.0/win-x64":{"Microsoft.NETCore.App.Runtime.win-x64/%s":{\n' "$runtime_version"
    printf '"runtime":{'
    first=1
    for f in "$version_dir"/runtimes/win-x64/lib/net*/*.dll; do
      [ "$first" -eq 1 ] || printf ','
      first=0
      printf '"%s":{}' "$(basename "$f")"
    done
    printf '},\n"native":{'
    first=1
    for f in "$version_dir"/runtimes/win-x64/native/*; do
      [ "$(basename "$f")" = hostfxr.dll ] && continue
      [ "$first" -eq 1 ] || printf ','
      first=0
      printf '"%s":{}' "$(basename "$f")"
    done
    printf '}}}},\n"libraries":{"Microsoft.NETCore.App.Runtime.win-x64/%s":{"type":"package","serviceable":false,"sha512":""}}}\n' "$runtime_version"
  } >"$deps"
  mv "$deps" "$fx/Microsoft.NETCore.App.deps.json"
}

if [ ! -f "$package" ]; then
  fail "consumer: no package"
else
  step "consumer project in $consumer, MiowinSharp $version from $feed"
  win_layouts=(portable fd-win-x64 sc-win-x64 single-fd-win-x64 single-sc-win-x64 trimmed-win-x64)
  consumer_publish sc-win-x64 -r win-x64 --self-contained true || true
  consumer_publish portable -p:DefaultAppHostRuntimeIdentifier=win-x64 || true
  consumer_publish fd-win-x64 -r win-x64 --self-contained false || true
  consumer_publish single-fd-win-x64 -r win-x64 --self-contained false -p:PublishSingleFile=true \
    -p:IncludeNativeLibrariesForSelfExtract=true || true
  consumer_publish single-sc-win-x64 -r win-x64 --self-contained true -p:PublishSingleFile=true \
    -p:IncludeNativeLibrariesForSelfExtract=true -p:IncludeAllContentForSelfExtract=true || true
  consumer_publish trimmed-win-x64 -r win-x64 --self-contained true -p:PublishTrimmed=true || true
  consumer_publish single-sc-linux-x64 -r linux-x64 --self-contained true -p:PublishSingleFile=true \
    -p:IncludeNativeLibrariesForSelfExtract=true || true
  consumer_publish trimmed-linux-x64 -r linux-x64 --self-contained true -p:PublishTrimmed=true || true
  consumer_publish sc-win-x86 -r win-x86 --self-contained true || true

  # linux-x64, natively.
  step "consumer layouts for linux-x64, natively"
  consumer_check dotnet-run dotnet run --project "$consumer/app/consumer.csproj" -c Release "${msbuild_opts[@]}"
  [ -f "$consumer/portable/consumer.dll" ] && consumer_check portable-linux-x64 dotnet "$consumer/portable/consumer.dll"
  [ -f "$consumer/single-sc-linux-x64/consumer" ] && consumer_check single-sc-linux-x64 "$consumer/single-sc-linux-x64/consumer"
  [ -f "$consumer/trimmed-linux-x64/consumer" ] && consumer_check trimmed-linux-x64 "$consumer/trimmed-linux-x64/consumer"

  # win-x64, under Wine.
  if [ "$wine_ok" -eq 1 ]; then
    step "consumer layouts for win-x64, under Wine"
    install_windows_dotnet || fail "consumer: installing .NET into the Wine prefix"
    for name in "${win_layouts[@]}"; do
      exe="$consumer/$name/consumer.exe"
      [ -f "$exe" ] || continue
      consumer_check "$name" "${wine_env[@]}" DOTNET_EnableWriteXorExecute=0 wine "$exe"
    done
  fi

  # win-x86, under 32-bit Wine 10, in the prefix the mingw32 ctest run uses.
  if [ "${MIOW_DOTNET_SKIP_WINE:-0}" != 1 ] && [ -f "$consumer/sc-win-x86/consumer.exe" ]; then
    step "consumer layout for win-x86, under 32-bit Wine 10"
    wine10="$root/scripts/wine10.sh"
    if ! bash "$wine10" root >/dev/null; then
      fail "consumer sc-win-x86: the Wine 10 root cannot be made (scripts/wine10.sh root; see above)"
    elif ! bash "$wine10" x86 2>"$consumer_log"; then
      consumer_not_run="NOT RUN: consumer sc-win-x86 under 32-bit Wine 10, because $(sed 's/^wine10: //' "$consumer_log")"
      echo "dotnet/test.sh: $consumer_not_run" >&2
    else
      consumer_check sc-win-x86 env MIOW_WINE10_ENV="WINEDLLOVERRIDES=mshtml= DOTNET_EnableWriteXorExecute=0" \
        bash "$wine10" run "$root/build/mingw32/wineprefix-wine10" win32 "$consumer/sc-win-x86/consumer.exe"
    fi
  fi
fi
rm -rf "$consumer"
