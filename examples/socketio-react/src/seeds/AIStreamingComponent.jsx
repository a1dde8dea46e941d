// Seed 002's React component, verbatim but for the server URL (__AI_URL__) and the export.
import React, { useState, useEffect, useRef } from 'react';
import { io } from 'socket.io-client';

export const AIStreamingComponent = () => {
  const [isConnected, setIsConnected] = useState(false);
  const [response, setResponse] = useState('');
  const [isStreaming, setIsStreaming] = useState(false);
  const socketRef = useRef(null);

  useEffect(() => {
    // Connect to WebSocket
    socketRef.current = io(__AI_URL__);

    socketRef.current.on('connect', () => {
      setIsConnected(true);
    });

    socketRef.current.on('ai:connected', (data) => {
      console.log('AI WebSocket ready:', data);
    });

    socketRef.current.on('ai:token', (data) => {
      setResponse(prev => prev + data.data);
    });

    socketRef.current.on('ai:stream:start', (data) => {
      setIsStreaming(true);
      setResponse('');
    });

    socketRef.current.on('ai:done', (data) => {
      setIsStreaming(false);
      console.log('Stream completed:', data.totalTokens, 'tokens');
    });

    socketRef.current.on('disconnect', () => {
      setIsConnected(false);
    });

    return () => {
      socketRef.current?.disconnect();
    };
  }, []);

  const sendPrompt = (prompt) => {
    if (socketRef.current && isConnected) {
      socketRef.current.emit('ai:stream', {
        prompt,
        useOrchestrator: true,
        agentContext: {
          activeFile: 'App.js',
          projectType: 'React'
        }
      });
    }
  };

  return (
    <div>
      <div>Status: {isConnected ? 'Connected' : 'Disconnected'}</div>
      <div>Streaming: {isStreaming ? 'Yes' : 'No'}</div>
      <textarea 
        value={response} 
        readOnly 
        placeholder="AI response will appear here..."
        style={{ width: '100%', height: '200px' }}
      />
      <button 
        onClick={() => sendPrompt('Write a React component')}
        disabled={!isConnected || isStreaming}
      >
        Send Prompt
      </button>
    </div>
  );
};
