; Inno Setup 6 script: the Windows installer of the Cita Bridge agent (the tray app for the clinic's front-desk PC).
;
; 1. On Windows, build the bundle:   pyinstaller --noconfirm installer\cita-agent.spec   (-> dist\cita-agent\)
; 2. Compile this script:            iscc installer\windows\cita-agent.iss             (-> dist\cita-bridge-agent-setup-<version>.exe)
;
; It installs for the signed-in Windows user only (no administrator needed), adds a Start-menu entry,
; optionally starts the agent at sign-in (the same Run value the agent's own setting writes), and its
; uninstaller keeps the saved passwords in Windows Credential Manager unless the user says to delete them
; (or the uninstaller runs with /FORGETSECRETS).
;
; tests/installer/test_inno_setup.py checks that every file named here exists in the bundle the spec builds.

#ifndef BundleDir
  #define BundleDir AddBackslash(SourcePath) + "..\..\dist\cita-agent"
#endif
#define AppName "Cita Bridge"
#define AppPublisher "Cita Bridge"
#define CliExe "cita-agent.exe"
#define TrayExe "cita-agent-tray.exe"
#define AppIcon "_internal\assets\cita-agent.ico"
; The agent's Run value (agent/ui/autostart.py: BASE_NAME, WINDOWS_RUN_KEY).
#define RunKey "Software\Microsoft\Windows\CurrentVersion\Run"
#define RunValueName "CitaBridge"
; The agent command that deletes this PC's saved secrets (the clinic web app password, the relay token).
#define ForgetSecretsArgs "forget-secrets --yes"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + CliExe, "ProductVersion")
#endif
#define AppNumericVersion GetVersionNumbersString(BundleDir + "\" + CliExe)

[Setup]
; Never change AppId: it is how an upgrade finds the installed copy.
AppId={{6F1B2D4E-3C7A-4B8E-9D21-5A0C7E4F9B13}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppNumericVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install (%LOCALAPPDATA%\Programs): the receptionist's Windows account, whose keyring holds the secrets.
PrivilegesRequired=lowest
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir={#AddBackslash(SourcePath)}..\..\dist
OutputBaseFilename=cita-bridge-agent-setup-{#AppVersion}
SetupIconFile={#BundleDir}\{#AppIcon}
UninstallDisplayIcon={app}\{#TrayExe}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; Close a running agent (Restart Manager) before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
es.StartAtLogin=Abrir Cita Bridge al iniciar sesión en Windows (recomendado: así los pacientes reciben respuesta)
en.StartAtLogin=Open Cita Bridge when I sign in to Windows (recommended: so patients get answers)
es.AgentComment=Reservas de WhatsApp en la agenda de la clínica
en.AgentComment=WhatsApp bookings in the clinic's agenda
es.ForgetSecretsQuestion=¿Borrar también las contraseñas guardadas en este equipo (la de la agenda de la clínica y el token del relay)?%n%nElija No si va a reinstalar Cita Bridge: así no tendrá que escribirlas de nuevo.
en.ForgetSecretsQuestion=Also delete the passwords saved on this PC (the clinic web app's password and the relay token)?%n%nChoose No if you will reinstall Cita Bridge: you will not have to type them again.
es.ForgetSecretsFailed=No se pudieron borrar las contraseñas guardadas. Bórrelas a mano en el Administrador de credenciales de Windows (entradas "Cita Bridge").
en.ForgetSecretsFailed=The saved passwords could not be deleted. Delete them by hand in Windows Credential Manager (entries "Cita Bridge").

[Tasks]
Name: "startatlogin"; Description: "{cm:StartAtLogin}"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the runtime folder whole, so no library of an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\{#CliExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\{#TrayExe}"; DestDir: "{app}"; Flags: ignoreversion
Source: "{#BundleDir}\_internal\*"; DestDir: "{app}\_internal"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#TrayExe}"; Comment: "{cm:AgentComment}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#TrayExe}"; Comment: "{cm:AgentComment}"; Tasks: desktopicon

[Registry]
Root: HKCU; Subkey: "{#RunKey}"; ValueType: string; ValueName: "{#RunValueName}"; ValueData: """{app}\{#TrayExe}"""; Flags: uninsdeletevalue; Tasks: startatlogin
; Also removes the value at uninstall when the agent's own setting wrote it.
Root: HKCU; Subkey: "{#RunKey}"; ValueType: none; ValueName: "{#RunValueName}"; Flags: uninsdeletevalue dontcreatekey

[Run]
Filename: "{app}\{#TrayExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallRun]
Filename: "{sys}\taskkill.exe"; Parameters: "/F /T /IM {#TrayExe}"; Flags: runhidden; RunOnceId: "StopTray"
Filename: "{sys}\taskkill.exe"; Parameters: "/F /T /IM {#CliExe}"; Flags: runhidden; RunOnceId: "StopHeadless"

[Code]
function UninstallerParamGiven(const Name: String): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), Name) = 0 then
      Result := True;
end;

{ The keyring entries outlive the program unless the user asks: a reinstall then finds them again. }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Forget: Boolean;
  ResultCode: Integer;
begin
  if CurUninstallStep <> usUninstall then
    Exit;
  Forget := UninstallerParamGiven('/FORGETSECRETS');
  if (not Forget) and (not UninstallSilent) then
    Forget := MsgBox(CustomMessage('ForgetSecretsQuestion'), mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES;
  if not Forget then
    Exit;
  if not Exec(ExpandConstant('{app}\{#CliExe}'), '{#ForgetSecretsArgs}', '', SW_HIDE, ewWaitUntilTerminated, ResultCode)
     or (ResultCode <> 0) then
  begin
    Log(Format('forget-secrets failed: exit code %d', [ResultCode]));
    SuppressibleMsgBox(CustomMessage('ForgetSecretsFailed'), mbError, MB_OK, IDOK);
  end;
end;
