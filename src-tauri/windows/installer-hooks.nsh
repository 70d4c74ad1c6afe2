; The NSIS installer's hooks (bundle.windows.nsis.installerHooks in tauri.windows.conf.json):
; the latchkey command line next to the app, with its completions, and taken away on uninstall.
; scripts/stage-installer-files (the build's beforeBundleCommand) puts the files in
; target\bundle-files. To call latchkey from any terminal, add the install folder to PATH
; (Settings > System > About > Advanced system settings > Environment Variables, the user's Path),
; or run it by its full path: "%LOCALAPPDATA%\Latchkey\latchkey.exe" --help.
!define LATCHKEY_FILES "${__FILEDIR__}\..\..\target\bundle-files"

!macro NSIS_HOOK_POSTINSTALL
  SetOutPath "$INSTDIR"
  File "${LATCHKEY_FILES}\latchkey.exe"
  SetOutPath "$INSTDIR\completions"
  File "${LATCHKEY_FILES}\_latchkey"
  File "${LATCHKEY_FILES}\latchkey.bash"
  File "${LATCHKEY_FILES}\latchkey.fish"
  SetOutPath "$INSTDIR"
!macroend

!macro NSIS_HOOK_POSTUNINSTALL
  Delete "$INSTDIR\latchkey.exe"
  RMDir /r "$INSTDIR\completions"
  RMDir "$INSTDIR"
!macroend
